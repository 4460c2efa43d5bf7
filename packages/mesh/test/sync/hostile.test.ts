// bb_sync against a member that misbehaves, over real loopback links: it floods requests (past the
// per-link queue they are dropped and counted), sends answers nobody asked for (ignored), and answers
// a page listing with keys out of order (a protocol error: counted, the link closed, nothing stored).
// The victim keeps serving and never crashes.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ExtensionSession } from '@bbmesh/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syncProtocol, type SyncList, type SyncMessages } from '../../src/sync/codec.js'
import { createNet, until, type Net } from '../bus/net.js'
import { Members, newKeys } from '../membership/harness.js'
import { holdTorrents, syncNode, type SyncNode } from './node.js'

let net: Net
const members = new Members()
const root = mkdtempSync(join(tmpdir(), 'bbmesh-sync-hostile-'))
let victim: SyncNode
/** The attacker's raw bb_sync sessions (one per link; the mesh may close a duplicate), by hand. */
const raws: {
  session: ExtensionSession<SyncMessages>
  closed: boolean
  lists: SyncList[]
  answers: number
}[] = []
const live = (): (typeof raws)[number] | undefined => raws.find((r) => !r.closed && r.lists.length > 0)
/** 'hold': keep the victim's page requests unanswered; 'stall': list keys without end, send no dict. */
let mode: 'hold' | 'stall' = 'hold'
let fakeKeys = 0
const stallPage = (session: ExtensionSession<SyncMessages>, l: SyncList): void => {
  const keys = Array.from({ length: l.limit }, () => {
    const k = Buffer.alloc(20, 0xee)
    k.writeUInt32BE(++fakeKeys, 16)
    return k
  })
  session.send('keys', { id: l.id, keys, sizes: keys.map(() => 1000), next: keys.at(-1), done: false })
}

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 4 })
  const keys = newKeys()
  const boot = `127.0.0.1:${net.stocks[0]!.address().port}`
  victim = await syncNode(members, keys, boot, { dir: root, sync: { autoStart: false } })
  await holdTorrents(victim.index, 'v', 0, 50)
  await members.add(keys, boot, {
    registerExtensions: (r) =>
      r.register({
        protocol: syncProtocol,
        create: (session) => {
          const entry = { session, closed: false, lists: [] as SyncList[], answers: 0 }
          return {
            handlers: {
              list: (l) => (mode === 'stall' ? stallPage(session, l) : void entry.lists.push(l)),
              get: (g) =>
                session.send('data', {
                  id: g.id,
                  offset: 0,
                  final: true,
                  data: new Uint8Array(4 * g.keys.length),
                }),
              keys: () => void entry.answers++,
              data: () => void entry.answers++,
            },
            onReady: () => {
              raws.push(entry)
              session.send('hello', { version: 1, memberId: Buffer.from('attacker') })
            },
            onClose: () => void (entry.closed = true),
          }
        },
      }),
  })
  victim.sync.start()
  await until('the victim asks the attacker for a page', 30_000, () => live() !== undefined)
}, 60_000)
afterAll(async () => {
  await victim?.kill()
  await members.close()
  await net?.destroy()
  rmSync(root, { recursive: true, force: true })
})

describe('bb_sync from a hostile member', { timeout: 60_000 }, () => {
  it('a flood of requests is served up to the queue bound, the rest dropped and counted', async () => {
    const raw = live()!
    const c = victim.sync.counters
    for (let i = 0; i < 40; i++) raw.session.send('list', { id: i, cursor: new Uint8Array(0), limit: 2000 })
    await until('flood dropped', 10_000, () => c.floodDropped > 0 && raw.answers >= 1)
    expect(c.floodDropped + c.listsServed).toBeLessThanOrEqual(40)
    expect(c.listsServed).toBeLessThan(40)
  })

  it('answers nobody asked for are ignored', async () => {
    const raw = live()!
    raw.session.send('keys', { id: 424242, keys: [], sizes: [], next: undefined, done: true })
    raw.session.send('data', { id: 424243, offset: 0, final: true, data: new Uint8Array(4) })
    await new Promise((r) => setTimeout(r, 300))
    expect(victim.sync.counters.protocolErrors).toBe(0)
    expect(raw.closed).toBe(false)
  })

  it('a page out of order is a protocol error: counted, the link closed, nothing stored', async () => {
    const raw = live()!
    const before = (await victim.index.stats()).torrents
    const [a, b] = [Buffer.alloc(20, 9), Buffer.alloc(20, 3)]
    raw.session.send('keys', { id: raw.lists[0]!.id, keys: [a, b], sizes: [10, 10], next: a, done: false })
    await until('link closed', 10_000, () => raw.closed)
    expect(victim.sync.counters.protocolErrors).toBe(1)
    expect(victim.sync.counters.requested).toBe(0)
    expect((await victim.index.stats()).torrents).toBe(before)
  })

  it('a member that lists without end and sends nothing: the pass gives up, bounded, not retried', async () => {
    mode = 'stall'
    const c = victim.sync.counters
    // The mesh dials the attacker again after the close; a page asked meanwhile is answered now.
    await until('a new link asked for a page', 20_000, () =>
      raws.some((r) => !r.closed && r.lists.length > 0),
    )
    for (const r of raws) if (!r.closed) for (const l of r.lists.splice(0)) stallPage(r.session, l)
    await until('the pass given up', 30_000, () => c.gaveUp >= 1)
    expect(c.notSent).toBeGreaterThan(10_000)
    expect(c.notSent).toBeLessThanOrEqual(12_000)
    expect(c.torrentsIn).toBe(0)
    const asked = fakeKeys
    await new Promise((r) => setTimeout(r, 500))
    expect(fakeKeys).toBeLessThanOrEqual(asked + 1_000) // at most the listing already asked for
  })
})
