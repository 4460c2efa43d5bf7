// A hostile member over real sockets: it holds the community key, so it passes the gate, and then
// floods bb_members deltas, sends malformed bb_members messages, or gossips thousands of fake members.
// Two real meshes (A, and B linked to A) must count and cut the flooder, close on malformed input
// without storing anything from it, and keep their tables within maxMembers.
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import {
  bencode,
  createGateExtension,
  dict,
  ExtensionRegistry,
  PeerHost,
  type BValue,
  type CloseInfo,
  type CloseReason,
  type ExtensionDefinition,
  type ExtensionSession,
  type PeerConnection,
} from '@bbmesh/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { membersProtocol, type MemberEntry, type MembersMessages } from '../../src/membership/codec.js'
import type { CommunityMesh } from '../../src/membership/mesh.js'
import { createNet, until, type Net } from '../bus/net.js'
import { converged, Members, newKeys, type TestMember } from './harness.js'

const keys = newKeys()
const MAX_MEMBERS = 100
/** extension.ts closes a link after this many messages over its budget. */
const FLOOD_CLOSE_AFTER = 200

let net: Net
const members = new Members()
const hosts: PeerHost[] = []
let a: TestMember
let b: TestMember
/** A 127.0.0.1 port nobody listens on: every fake member "lives" there, so dials stay local and fail. */
let deadPort = 0

interface Hostile {
  conn: PeerConnection
  session: ExtensionSession<MembersMessages>
  nodeId: Buffer
  /** The target mesh's id for bb_members, for raw sends. */
  remoteId: number
  closed: Promise<CloseInfo>
  /** Sends bytes as a bb_members message, bypassing our codecs. */
  raw(payload: Uint8Array): void
  hello(): void
}

/** Connects to `target` as a member (the key passes the gate) and waits for its bb_members hello. */
async function hostile(target: CommunityMesh): Promise<Hostile> {
  let ready: (s: ExtensionSession<MembersMessages>) => void = () => undefined
  const heard = new Promise<ExtensionSession<MembersMessages>>((r) => (ready = r))
  let session: ExtensionSession<MembersMessages> | undefined
  // bb_members registered raw: our handlers ignore what the target says, except its hello, which
  // tells us its side of the gate is open too (members-only messages sent earlier would be ignored).
  const rawMembers: ExtensionDefinition<MembersMessages> = {
    protocol: membersProtocol,
    create: (s) => ({
      handlers: { hello: () => session && ready(session) },
      onReady: () => (session = s),
    }),
  }
  const registry = new ExtensionRegistry()
  registry.register(createGateExtension({ secret: keys.gateSecret, timeoutMs: 3_000 }))
  registry.register(rawMembers)
  const host = new PeerHost({ registry })
  hosts.push(host)
  const conn = await host.connect(
    { host: '127.0.0.1', port: target.host.port! },
    target.rendezvous.todayHash(),
    { timeoutMs: 5_000 },
  )
  const closed = once(conn, 'close').then(([info]) => info as CloseInfo)
  const s = await within(
    10_000,
    'the target hello',
    Promise.race([heard, closed.then((i) => Promise.reject(new Error(`closed before hello: ${i.reason}`)))]),
  )
  const remoteId = target.host.registry.get(membersProtocol.name)!.localId
  const nodeId = randomBytes(20)
  return {
    conn,
    session: s,
    nodeId,
    remoteId,
    closed,
    raw: (payload) => conn.sendRawExtended(remoteId, payload),
    hello: () => s.send('hello', { version: 1, nodeId, wirePort: deadPort, dhtPort: 0, caps: 0 }),
  }
}

function fake(): MemberEntry {
  return {
    nodeId: randomBytes(20),
    host: '127.0.0.1',
    wirePort: deadPort,
    dhtPort: 0,
    caps: 0,
    ageSeconds: 0,
  }
}

const fakes = (n: number): MemberEntry[] => Array.from({ length: n }, fake)
const hex = (id: Uint8Array): string => Buffer.from(id).toString('hex')
const ids = (m: TestMember): string[] => m.mesh.members().map((x) => x.nodeId)

/** `p`, or a failure after `ms` of real time (the timer is cleared either way). */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([p, late])
  } finally {
    clearTimeout(timer)
  }
}

const closedWithin = (h: Hostile, ms: number): Promise<CloseInfo> => within(ms, 'the close', h.closed)

/** A and B still linked to each other, each table within the bound. */
function healthy(): void {
  for (const [m, other] of [
    [a, b],
    [b, a],
  ] as const) {
    expect(m.mesh.members().length).toBeLessThanOrEqual(MAX_MEMBERS)
    expect(m.mesh.table.get(other.id)?.connected).toBe(true)
  }
}

beforeAll(async () => {
  const probe = createServer()
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
  deadPort = (probe.address() as { port: number }).port
  await new Promise((r) => probe.close(r))
  net = await createNet({ ours: 0, stock: 3 })
  const stock = (i: number): string => `127.0.0.1:${net.stocks[i]!.address().port}`
  a = await members.add(keys, stock(0), { maxMembers: MAX_MEMBERS })
  b = await members.add(keys, stock(1), {
    maxMembers: MAX_MEMBERS,
    hints: [{ host: '127.0.0.1', port: a.mesh.host.port! }],
  })
  await until('A and B linked', 20_000, () => converged([a, b]))
}, 40_000)
afterAll(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()))
  await members.close()
  await net?.destroy()
})

describe('a hostile member (passes the gate) on real sockets', { timeout: 60_000 }, () => {
  it('malformed bb_members messages close the connection and store nothing', async () => {
    const known = new Set(ids(a))
    const junk: string[] = []
    const closes = (): number => a.mesh.host.counters.closedFor('protocol-error')
    const cases: { what: string; payload: (h: Hostile) => Uint8Array; helloFirst?: boolean }[] = [
      { what: 'not bencode', payload: () => Buffer.from('this is not bencode') },
      { what: 'truncated bencode', payload: () => Buffer.from('d8:msg_typei1e1:ald1:i20:') },
      {
        what: 'hello with a string version and a short id',
        payload: (h) =>
          bencode(dict({ msg_type: 0, v: Buffer.from('1'), i: h.nodeId.subarray(0, 19), p: 6881, d: 0 })),
      },
      {
        what: 'a list of entries that is a dict',
        payload: () => bencode(dict({ msg_type: 1, a: dict({ x: 1 }), l: [] })),
        helloFirst: true,
      },
      {
        what: 'one good entry next to one with a byte-string port',
        payload: () => {
          const good = fake()
          junk.push(hex(good.nodeId))
          const entry = (e: MemberEntry, p: BValue): BValue =>
            dict({ i: e.nodeId, h: Buffer.from([127, 0, 0, 1]), p, d: 0, s: 0 })
          return bencode(
            dict({ msg_type: 1, a: [entry(good, deadPort), entry(fake(), Buffer.from('80'))], l: [] }),
          )
        },
        helloFirst: true,
      },
      {
        what: 'a delta over 8 KiB',
        payload: () => bencode(dict({ msg_type: 1, a: [], l: [], pad: randomBytes(9_000) })),
        helloFirst: true,
      },
    ]
    for (const c of cases) {
      const before = closes()
      const h = await hostile(a.mesh)
      if (c.helloFirst) {
        h.hello()
        await until(`hello stored (${c.what})`, 5_000, () => a.mesh.table.get(hex(h.nodeId)) !== undefined)
        known.add(hex(h.nodeId))
      }
      h.raw(c.payload(h))
      const info = await closedWithin(h, 5_000)
      expect(info.reason, c.what).toBe('remote-closed')
      await until(`A counted the close (${c.what})`, 5_000, () => closes() === before + 1)
      // Nothing from the bad message (nor, without a hello, the sender itself) is in the table.
      expect(
        ids(a).filter((id) => !known.has(id)),
        c.what,
      ).toEqual([])
      if (!c.helloFirst) expect(a.mesh.table.get(hex(h.nodeId)), c.what).toBeUndefined()
    }
    expect(junk).toHaveLength(1)
    expect(a.mesh.table.get(junk[0]!)).toBeUndefined()
    expect(b.mesh.table.get(junk[0]!)).toBeUndefined()
    healthy()
  })

  it('a flood of deltas is counted, then the flooder is cut off; the tables stay bounded', async () => {
    const dropped = a.mesh.stats().floodDropped
    const linksBefore = a.mesh.connectedCount
    const h = await hostile(a.mesh)
    h.hello()
    // 400 deltas at once, the first 45 full of fake members: far over a 40-message burst.
    for (let i = 0; i < 400; i++) h.session.send('delta', { added: i < 45 ? fakes(50) : [], left: [] })
    const info = await closedWithin(h, 10_000)
    expect(info.reason).toBe('remote-closed')
    expect(a.mesh.stats().floodDropped - dropped).toBe(FLOOD_CLOSE_AFTER)
    expect(a.mesh.host.counters.closedFor('bb_members flood' as CloseReason)).toBe(1)
    await until('the flooder unlinked', 5_000, () => a.mesh.connectedCount === linksBefore)
    expect(a.mesh.table.get(hex(h.nodeId))?.connected).toBe(false)
    // What got through before the budget ran out was stored within the bound, and relayed to B
    // without B seeing a flood from A.
    await until('A gossiped fakes to B', 5_000, () => b.mesh.members().length > 2)
    healthy()
    expect(b.mesh.stats().floodDropped).toBe(0)
  })

  it('gossip of 2,000 fake members, paced under the budget, leaves each table at maxMembers at most', async () => {
    const t = a.mesh.table.counters
    const considered = (): number => t.added + t.tableFull
    const before = considered()
    const dropped = a.mesh.stats().floodDropped
    let maxA = 0
    let maxB = 0
    const sample = setInterval(() => {
      maxA = Math.max(maxA, a.mesh.members().length)
      maxB = Math.max(maxB, b.mesh.members().length)
    }, 10)
    try {
      const h = await hostile(a.mesh)
      h.hello()
      const all = fakes(2_000)
      for (let i = 0; i < 40; i++) {
        // 30 messages in a burst, then one per 300 ms (the budget refills 4 a second).
        if (i >= 30) await new Promise((r) => setTimeout(r, 300))
        h.session.send('delta', { added: all.slice(50 * i, 50 * i + 50), left: [] })
      }
      await until('A considered all 2,000', 10_000, () => considered() - before >= 2_000)
      await new Promise((r) => setTimeout(r, 500))
      expect(h.conn.closed).toBe(false)
      expect(a.mesh.stats().floodDropped).toBe(dropped)
    } finally {
      clearInterval(sample)
    }
    expect(maxA).toBe(MAX_MEMBERS)
    expect(maxB).toBeLessThanOrEqual(MAX_MEMBERS)
    healthy()
  })
})
