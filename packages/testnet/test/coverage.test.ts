// CoverageTracker arithmetic over the testnet's real ground truth (a small generated testnet) and
// probes that report fixed sets: aliases (v1, full v2, truncated v2), union, unknowns, ratios, curve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CoverageTracker, createTestnet, type HarvesterProbe, type Testnet } from '../src/index.js'

let tn: Testnet
beforeAll(async () => {
  tn = await createTestnet({ nodes: 3, torrents: 20, seeds: 2, seed: 11, announce: false })
})
afterAll(() => tn.destroy())

function probe(
  name: string,
  sighted: string[],
  meta: string[],
  messages: number,
  fetches: number,
): HarvesterProbe {
  return {
    name,
    sighted: () => sighted,
    withMetadata: async () => meta,
    messagesSent: () => messages,
    metadataFetches: () => fetches,
  }
}

describe('CoverageTracker', () => {
  it('counts per harvester and for the union, under any hash form a torrent may be reported as', async () => {
    const ts = tn.torrents
    const v2 = ts.find((t) => t.version === 'v2')!
    const hybrid = ts.find((t) => t.version === 'hybrid')!
    const v1s = ts.filter((t) => t.version === 'v1')
    // a: sighted 5 v1 by key, holds metadata for the v2 one under its full 32-byte hash.
    const a = probe(
      'a',
      v1s.slice(0, 5).map((t) => t.infohash),
      [v2.infohashV2!],
      100,
      3,
    )
    // b: the hybrid by its v1 hash and by its truncated v2 hash (one torrent), plus one stranger.
    const b = probe(
      'b',
      [hybrid.infohashV1!, hybrid.infohashV2!.slice(0, 40), 'ff'.repeat(20)],
      [v1s[0]!.infohash.toUpperCase()],
      50,
      2,
    )
    let now = 1000
    const tracker = new CoverageTracker({ torrents: ts, probes: [a, b], now: () => now })
    now += 250
    const s = await tracker.sample()
    expect(s).toMatchObject({ event: 'stats', t: 250, announced: 20, sighted: 7, metadata: 2 })
    // v1s[0] is a's sighting and b's metadata: counted once in the union.
    expect(s.coverage).toBe(0.35)
    expect(s.metadataCoverage).toBe(0.1)
    expect(s.harvesters.map((h) => [h.name, h.sighted, h.metadata, h.unknown])).toEqual([
      ['a', 6, 1, 0],
      ['b', 2, 1, 1],
    ])
    const sum = tracker.summary()
    expect(sum).toMatchObject({ event: 'summary', durationMs: 250, coverage: 0.35, metadataCoverage: 0.1 })
    // 5 fetches for 2 torrents with metadata; 150 messages for 7 sighted.
    expect(sum.fetchesPerInfohash).toBe(2.5)
    expect(sum.messagesPerInfohash).toBe(21.4286)
    expect(sum.timeToCoverage).toEqual({ '50': null, '90': null, '95': null })
    // Capture–recapture without the truth: a saw 6, b 2, both 1; Chapman (7 × 3) / 2 − 1 = 9.5 → 10.
    expect(sum.population).toEqual({ estimatedPopulation: 10, estimatedCoverage: 0.7, method: 'chapman' })
    expect(sum.curve[0]!.estimatedPopulation).toBe(10)
  })

  it('records the curve and the first time each level is reached; follows a growing ground truth', async () => {
    const seen: string[] = []
    let truth = tn.torrents.slice(0, 10)
    let now = 0
    const tracker = new CoverageTracker({
      torrents: () => truth,
      probes: [{ name: 'h', sighted: () => seen, withMetadata: () => seen }],
      now: () => now,
    })
    for (const [t, n] of [
      [100, 5],
      [200, 9],
      [300, 10],
    ] as const) {
      now = t
      seen.splice(0, seen.length, ...truth.slice(0, n).map((x) => x.infohash))
      await tracker.sample()
    }
    const sum = tracker.summary()
    expect(sum.curve.map((p) => [p.t, p.coverage])).toEqual([
      [100, 0.5],
      [200, 0.9],
      [300, 1],
    ])
    expect(sum.timeToCoverage).toEqual({ '50': 100, '90': 200, '95': 300 })
    expect(sum.timeToMetadataCoverage).toEqual({ '50': 100, '90': 200, '95': 300 })
    expect(sum.fetchesPerInfohash).toBe(0)
    truth = tn.torrents.slice(0, 20)
    now = 400
    expect((await tracker.sample()).coverage).toBe(0.5)
  })
})
