// The daily rendezvous rotation on a virtual clock over real sockets: members whose mesh clock starts at
// 23:58 UTC announce on both days' hashes in the overlap window, keep their links across midnight, leave
// the old day once the window closes, and a member who joins the next day on that day's hash alone
// still finds them. The DHT and the wire run in real time; only the mesh clock is virtual.
import { DhtNode } from '@bbmesh/dht'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { meshDht } from '../../src/adapters/mesh-dht.js'
import { ManualClock } from '../../src/clock.js'
import { rendezvousInfoHash } from '../../src/community/rendezvous-hash.js'
import { CommunityMesh } from '../../src/membership/mesh.js'
import type { MeshOptions } from '../../src/membership/types.js'
import { createNet, until, type Net } from '../bus/net.js'
import { converged, newKeys, type TestMember } from './harness.js'

const MIN = 60_000
const DAY1 = '2026-12-02'
const DAY2 = '2026-12-03'
const MIDNIGHT = Date.UTC(2026, 11, 3)
const OVERLAP = 5 * MIN

const keys = newKeys()
const clock = new ManualClock(MIDNIGHT - 2 * MIN)
const hashOf = (day: string): string => rendezvousInfoHash(keys.rendezvousKey, day).toString('hex')

/** Virtual-time schedules: a tick a second, so crossing the overlap window is a few hundred ticks. */
const OPTS: Partial<MeshOptions> = {
  clock,
  gossipIntervalMs: 1_000,
  goneAfterMs: 2 * MIN,
  gateTimeoutMs: 3_000,
  rendezvous: { announceIntervalMs: MIN, lookupMinMs: 1_000, overlapMs: OVERLAP },
}

interface Member extends TestMember {
  /** Infohashes (hex) this member announced on, in order. */
  announced: string[]
  disconnects: number
}

let net: Net
let observer: DhtNode
const members: Member[] = []

async function addMember(bootstrap: string): Promise<Member> {
  const dht = new DhtNode({ bootstrap: [bootstrap], rateLimit: false, outboundQueriesPerSecond: false })
  await dht.listen(0, '127.0.0.1')
  await dht.bootstrap()
  const base = meshDht(dht)
  const announced: string[] = []
  const recording = {
    ...base,
    announce: (ih: Uint8Array, port: number) => {
      announced.push(Buffer.from(ih).toString('hex'))
      return base.announce(ih, port)
    },
  }
  const mesh = new CommunityMesh({ keys, dht: recording, ...OPTS })
  const m: Member = { dht, mesh, id: dht.nodeIdHex, announced, disconnects: 0 }
  members.push(m)
  mesh.on('disconnected', () => m.disconnects++)
  await mesh.start()
  return m
}

/** Runs rendezvous cycles (real DHT traffic) until `ok`, within `ms` of real time. */
async function rendezvousUntil(what: string, ms: number, group: Member[], ok: () => boolean): Promise<void> {
  await until(what, ms, async () => {
    if (ok()) return true
    await Promise.all(group.map((m) => m.mesh.rendezvous.runOnce()))
    await new Promise((r) => setTimeout(r, 100))
    return ok()
  })
}

/** Wire ports an independent DHT node finds on a day's swarm. */
async function swarmPorts(day: string): Promise<Set<number>> {
  const peers = await observer.lookup(rendezvousInfoHash(keys.rendezvousKey, day))
  return new Set(peers.map((p) => p.port))
}

const stockAddr = (i: number): string => `127.0.0.1:${net.stocks[i % net.stocks.length]!.address().port}`

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 6 })
  observer = (await net.member()).dht
}, 30_000)
afterAll(async () => {
  await Promise.all(members.splice(0).map(async (m) => (await m.mesh.close(), await m.dht.destroy())))
  await net?.destroy()
})

describe('rendezvous across UTC midnight (virtual mesh clock, real sockets)', { timeout: 60_000 }, () => {
  let a: Member
  let b: Member

  it('in the overlap window before midnight, members announce on both days and link up', async () => {
    a = await addMember(stockAddr(0))
    b = await addMember(stockAddr(3))
    for (const m of [a, b]) expect(m.mesh.rendezvous.days()).toEqual([DAY1, DAY2])
    await Promise.all([a, b].map((m) => m.mesh.rendezvous.runOnce()))
    for (const m of [a, b]) {
      expect(new Set(m.announced)).toEqual(new Set([hashOf(DAY1), hashOf(DAY2)]))
      expect(m.mesh.stats().announces).toBe(2)
    }
    // Both swarms really hold both members: an outsider's get_peers finds their wire ports.
    const ports = [a, b].map((m) => m.mesh.host.port!)
    await until('both members on both days', 20_000, async () => {
      const [d1, d2] = await Promise.all([swarmPorts(DAY1), swarmPorts(DAY2)])
      return ports.every((p) => d1.has(p) && d2.has(p))
    })
    await rendezvousUntil('a and b linked', 30_000, [a, b], () =>
      [a, b].every((m) => m.mesh.connectedCount === 1 && m.mesh.members().length === 1),
    )
    expect(clock.now()).toBeLessThan(MIDNIGHT)
  })

  it('links hold across midnight; the new day is used alone once the window closes', async () => {
    const before = [a, b].map((m) => m.mesh.connectedCount)
    // (Both may have dialled each other while linking up; the duplicate's close can count once.)
    const dropsBefore = [a, b].map((m) => m.disconnects)
    await clock.advance(2 * MIN + 30_000) // 00:00:30
    for (const m of [a, b]) expect(m.mesh.rendezvous.days()).toEqual([DAY2, DAY1])
    expect(a.mesh.rendezvous.todayHash().toString('hex')).toBe(hashOf(DAY2))
    await Promise.all([a, b].map((m) => m.mesh.rendezvous.runOnce()))
    expect([a, b].map((m) => m.mesh.connectedCount)).toEqual(before)
    expect([a, b].map((m) => m.disconnects)).toEqual(dropsBefore)

    await clock.advance(OVERLAP) // 00:05:30: the window has closed
    for (const m of [a, b]) expect(m.mesh.rendezvous.days()).toEqual([DAY2])
    // One announce interval later, a cycle re-announces, on the new day only.
    const marks = [a, b].map((m) => m.announced.length)
    await clock.advance(MIN)
    await Promise.all([a, b].map((m) => m.mesh.rendezvous.runOnce()))
    await Promise.all([a, b].map((m) => m.mesh.rendezvous.runOnce()))
    for (const [i, m] of [a, b].entries()) {
      const since = m.announced.slice(marks[i])
      expect(since).toContain(hashOf(DAY2))
      expect(since).not.toContain(hashOf(DAY1))
    }
    expect([a, b].map((m) => m.mesh.connectedCount)).toEqual(before)
    expect([a, b].map((m) => m.disconnects)).toEqual(dropsBefore)
    for (const m of [a, b]) expect(m.mesh.members()[0]?.connected).toBe(true)
  })

  it('a member joining the next day, on that day alone, finds both', async () => {
    const c = await addMember(stockAddr(5))
    expect(c.mesh.rendezvous.days()).toEqual([DAY2])
    await rendezvousUntil('c joined a and b', 30_000, [c], () => converged([a, b, c]))
    expect(new Set(c.announced)).toEqual(new Set([hashOf(DAY2)]))
    for (const m of [a, b, c]) expect(m.mesh.connectedCount).toBe(2)
  })
})
