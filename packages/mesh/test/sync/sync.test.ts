// Catch-up sync between members over real gated links on 127.0.0.1: a member killed mid-pass resumes
// from its saved cursor without fetching again what it stored, and so does one whose link is cut; a partial member converges to exactly
// the union of what members hold (both ways), every dict verified; a member that alters dicts is
// caught by hash, nothing it sent is stored, and it is banned.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { indexSyncSource } from '../../src/sync/index-adapter.js'
import { createNet, until, type Net } from '../bus/net.js'
import { Members, newKeys } from '../membership/harness.js'
import type { CommunityKeys } from '../../src/community/derive.js'
import { cachedKeys, holdTorrents, syncNode, type SyncNode, type SyncNodeOptions } from './node.js'

const N = 3_000
const OWN = 200 // torrents only the partial member holds
const HELD = 500 // of the first member's, the partial member holds already

let net: Net
let root: string
const members = new Members()
const nodes: SyncNode[] = []
const keys = newKeys()
let boot: string
let dirs = 0
const dir = (): string => mkdirSync(join(root, `m${dirs++}`), { recursive: true })!
const add = async (o: SyncNodeOptions & { keys?: CommunityKeys }): Promise<SyncNode> => {
  const n = await syncNode(members, o.keys ?? keys, boot, o)
  nodes.push(n)
  return n
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'bbmesh-sync-'))
  net = await createNet({ ours: 0, stock: 6 })
  boot = `127.0.0.1:${net.stocks[0]!.address().port}`
}, 60_000)
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.kill()))
  await members.close()
  await net?.destroy()
  rmSync(root, { recursive: true, force: true })
})

describe('bb_sync', { timeout: 120_000 }, () => {
  let full: SyncNode
  let resumed: SyncNode

  it('a member killed mid-pass resumes from its cursor, fetching nothing twice', async () => {
    full = await add({ dir: dir() })
    await holdTorrents(full.index, 'a', 0, N)
    const joinerDir = dir()
    let killing: Promise<void> | undefined
    const first: SyncNode = await add({
      dir: joinerDir,
      sync: { pageKeys: 100, onPage: (_m, c) => void (c.pagesIn >= 5 && (killing ??= first.kill())) },
    })
    await until('killed mid-pass', 60_000, () => killing !== undefined)
    await killing
    const c1 = { ...first.sync.counters }
    expect(c1.completed).toBe(0)
    // At least the kill; the mesh may also close a duplicate link under a pass (it then resumes).
    expect(c1.interrupted).toBeGreaterThanOrEqual(1)
    // What the killed member had stored, read back from its files.
    const reopened = await add({ dir: joinerDir, sync: { autoStart: false } })
    const stored = (await reopened.index.stats()).torrents
    await reopened.kill()
    expect(stored).toBe(c1.torrentsIn)
    // Five pages seen (one may have been a re-listing after a duplicate link closed): 400+ stored.
    expect(stored).toBeGreaterThanOrEqual(400)
    expect(stored).toBeLessThan(N)

    resumed = await add({ dir: joinerDir, sync: { pageKeys: 100 } })
    await until('resumed pass done', 60_000, () => resumed.sync.counters.completed >= 1)
    const c2 = resumed.sync.counters
    expect(c2.torrentsIn).toBe(N - stored)
    // Nothing it held was asked for again; the pages before the cursor were not even listed again.
    // (A pass cut by a duplicate link the mesh closes re-asks at most its page from the cursor.)
    const slack = c2.interrupted * 100
    expect(c2.requested - c2.torrentsIn).toBeLessThanOrEqual(slack)
    expect(c2.keysListed).toBeLessThanOrEqual(N - stored + 100 + slack)
    expect(c2.keysListed).toBeLessThanOrEqual(c2.torrentsIn + c2.skipped + slack)
    expect(c2.badHash + c2.protocolErrors).toBe(0)
    expect(await cachedKeys(resumed.index)).toEqual(await cachedKeys(full.index))
  })

  it('a link closed mid-pass: the pass resumes from the cursor on the next link, nothing stored twice', async () => {
    // A community of two, so every pass is with the one member that holds them.
    const k3 = newKeys()
    const M = 1_000
    const server = await add({ dir: dir(), keys: k3, sync: { autoStart: false } })
    await holdTorrents(server.index, 'd', 0, M)
    let cut = false
    const joiner: SyncNode = await add({
      dir: dir(),
      keys: k3,
      sync: {
        pageKeys: 100,
        onPage: (_m, c) => {
          if (cut || c.pagesIn < 5) return
          cut = true
          for (const l of joiner.sync.links) l.close('test: cut mid-pass')
        },
      },
    })
    // The mesh dials the member again; the new link's pass starts at the saved cursor.
    await until('pass done after the cut', 90_000, () => joiner.sync.counters.completed >= 1)
    const c = joiner.sync.counters
    expect(cut).toBe(true)
    expect(c.interrupted).toBeGreaterThanOrEqual(1)
    expect(c.runs).toBe(c.interrupted + 1)
    expect(c.torrentsIn).toBe(M)
    // Each cut re-lists at most the page it fell in, and re-asks at most that page's dicts.
    expect(c.keysListed).toBeLessThanOrEqual(M + 100 * c.interrupted)
    expect(c.requested).toBeLessThanOrEqual(M + 100 * c.interrupted)
    expect(c.skipped).toBeLessThanOrEqual(100 * c.interrupted)
    expect(await cachedKeys(joiner.index)).toEqual(await cachedKeys(server.index))
  })

  it('a partial member converges to exactly the union, both ways, every dict verified', async () => {
    const partialDir = dir()
    const partial = await add({ dir: partialDir, sync: { autoStart: false } })
    await holdTorrents(partial.index, 'a', 0, HELD)
    await holdTorrents(partial.index, 'b', 0, OWN)
    partial.sync.start()
    const union = N + OWN
    const count = async (n: SyncNode): Promise<number> => (await n.index.stats()).torrents
    await until('union everywhere', 90_000, async () => {
      for (const n of [full, resumed, partial]) if ((await count(n)) !== union) return false
      return partial.sync.counters.completed >= 1
    })
    const want = await cachedKeys(full.index)
    expect(want.length).toBe(union)
    expect(await cachedKeys(partial.index)).toEqual(want)
    expect(await cachedKeys(resumed.index)).toEqual(want)
    const c = partial.sync.counters
    // Passes run one member at a time, so what the first pass took the second only lists.
    expect(c.torrentsIn).toBe(N - HELD)
    expect(c.skipped).toBeGreaterThanOrEqual(HELD)
    expect(c.badHash + c.unusable + c.protocolErrors).toBe(0)
    // The dicts arrived intact (they are served onward from the cache).
    const d = await partial.index.get(want[0]!)
    expect(d?.files.length).toBeGreaterThanOrEqual(2)
    expect(full.sync.counters.torrentsIn).toBe(OWN)
  })

  it('a member that alters dicts is caught by hash, nothing stored, then banned', async () => {
    const k2 = newKeys()
    // The liar lists its real keys and serves each dict with one byte changed (same size, wrong hash).
    const liar = await add({
      dir: dir(),
      keys: k2,
      sync: { autoStart: false },
      source: (index) => {
        const honest = indexSyncSource(index)
        return {
          page: (after, limit) => honest.page(after, limit),
          get: async (key) => {
            const d = await honest.get(key)
            if (d) d[d.length - 2] ^= 0xff
            return d
          },
        }
      },
    })
    await holdTorrents(liar.index, 'c', 0, 300)
    const asker = await add({ dir: dir(), keys: k2 })
    await until('liar banned', 60_000, () => asker.sync.counters.banned >= 1)
    const c = asker.sync.counters
    expect(c.badHash).toBeGreaterThan(0)
    expect(c.torrentsIn).toBe(0)
    expect((await asker.index.stats()).torrents).toBe(0)
    await until('liar link closed', 10_000, () => asker.sync.links.size === 0)
    expect(liar.sync.counters.getsServed).toBeGreaterThan(0)
  })
})
