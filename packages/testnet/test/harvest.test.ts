// The test: a @bbmesh/mesh harvester (real @bbmesh/dht node, @bbmesh/wire fetcher, its own
// @bbmesh/index) on a loopback testnet of 100 nodes (a third stock bittorrent-dht) and 200 torrents
// sights >= 95% and fetches metadata for >= 90% within a budget of sample queries (events, not seconds),
// and its index holds exactly
// the seeds' torrents (names, files, sizes).
import { afterEach, describe, expect, it } from 'vitest'
import { CoverageTracker, createTestnet, startHarvester, type TestnetHarvester } from '../src/index.js'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!()
})

/**
 * A work budget in events, not seconds: the goals must be reached within this many BEP 51 sample
 * queries by the harvester, however slow the machine (a loaded 2-core CI box only makes it wait).
 */
const SAMPLE_QUERY_BUDGET = 500 // a full harvest took 74 here

describe('a harvester on the loopback testnet', () => {
  it('100 nodes (1/3 stock), 200 torrents: sights >= 95%, metadata >= 90%, index matches the seeds', async () => {
    const tn = await createTestnet({ nodes: 100, stockShare: 1 / 3, torrents: 200, seeds: 20, seed: 5 })
    cleanup.push(() => tn.destroy())
    expect(tn.stats().nodes).toEqual({ bbmesh: 67, stock: 33 })
    expect(tn.announced().length).toBe(200)

    const h: TestnetHarvester = await startHarvester({ name: 'h0', bootstrap: tn.bootstrap, seed: 9 })
    cleanup.push(() => h.stop())
    const tracker = new CoverageTracker({ torrents: () => tn.announced(), probes: [h.probe] })
    const queries = (): number => h.harvester.stats().sampler.sampleQueries
    let snap = await tracker.sample()
    // Wait for the goal (every torrent with metadata and the fetch stage idle) or the budget.
    while (
      !(snap.metadataCoverage === 1 && h.harvester.stats().fetch.active === 0) &&
      queries() < SAMPLE_QUERY_BUDGET
    ) {
      await new Promise((r) => setTimeout(r, 250))
      snap = await tracker.sample()
    }
    const spent = queries()
    await h.harvester.stop()
    snap = await tracker.sample()
    const summary = tracker.summary()

    expect(summary.event).toBe('summary')
    expect(summary.announced).toBe(200)
    expect(summary.coverage).toBeGreaterThanOrEqual(0.95)
    expect(summary.metadataCoverage).toBeGreaterThanOrEqual(0.9)
    expect(snap.harvesters[0]!.unknown).toBe(0)
    console.log(`harvest: ${spent} sample queries, ${summary.fetchesPerInfohash} fetches per infohash`)
    // One harvester on honest seeds: every torrent needs one fetch; a failed peer or a retry adds one.
    expect(summary.fetchesPerInfohash).toBeGreaterThanOrEqual(1)
    expect(summary.fetchesPerInfohash).toBeLessThanOrEqual(1.5)
    expect(summary.messagesPerInfohash).toBeGreaterThan(0)

    // The index holds exactly the seeds' torrents: nothing else, and each one as built.
    const byKey = new Map(tn.torrents.map((t) => [t.infohashV1 ?? t.infohashV2!, t]))
    let rows = 0
    for await (const row of h.index.exportAll()) {
      rows++
      const t = byKey.get(row.infohashV1 ?? row.infohashV2!)
      expect(t, `unexpected torrent ${row.name}`).toBeDefined()
      expect(row.infohashV1).toBe(t!.infohashV1)
      expect(row.infohashV2).toBe(t!.infohashV2)
      expect(row.name).toBe(t!.name)
      expect(row.totalSize).toBe(t!.totalSize)
      expect(row.files.map((f) => [f.path, f.size])).toEqual(t!.files.map((f) => [f.path, f.size]))
    }
    expect(rows).toBe(snap.metadata)
  }, 150_000)
})
