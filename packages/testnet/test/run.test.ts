// runTestnet end to end with K = 2 independent harvesters on a small loopback testnet: events in
// order, both harvesters covered, duplicated BEP 9 work (about K fetches per infohash), cleanup.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runTestnet, type RunEvent } from '../src/index.js'
import { liveResources, waitFor } from './helpers.js'

describe('runTestnet', () => {
  it('two independent harvesters: both covered, ~2 fetches per infohash, file indexes, all closed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bbmesh-testnet-'))
    try {
      const before = liveResources()
      const events: RunEvent[] = []
      const summary = await runTestnet({
        nodes: 24,
        torrents: 30,
        seeds: 4,
        seed: 2,
        harvesters: 2,
        // Ends on the event (every harvester complete, stopWhenComplete); this is only a safety cap.
        durationMs: 200_000,
        statsIntervalMs: 1_000,
        indexDir: dir,
        onEvent: (e) => events.push(e),
      })
      expect(events[0]!.event).toBe('ready')
      expect(events.at(-1)).toBe(summary)
      expect(summary).toMatchObject({ event: 'summary', announced: 30, seed: 2 })
      expect(summary.metadataCoverage).toBeGreaterThanOrEqual(0.9)
      for (const h of summary.harvesters) expect(h.metadataCoverage).toBeGreaterThanOrEqual(0.9)
      // Independent harvesters each fetch what they find: the pool pays about K per infohash.
      expect(summary.fetchesPerInfohash).toBeGreaterThanOrEqual(1.8)
      expect(summary.fetchesPerInfohash).toBeLessThanOrEqual(2.5)
      expect(summary.timeToMetadataCoverage['90']).not.toBeNull()
      expect(summary.curve.length).toBeGreaterThan(0)
      expect((await readdir(dir)).filter((f) => f.endsWith('.db')).sort()).toEqual(['h0.db', 'h1.db'])
      const same = (): boolean => [...liveResources()].every(([kind, n]) => n <= (before.get(kind) ?? 0))
      await waitFor(same, 3000, `resources released (${JSON.stringify([...liveResources()])})`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 240_000)

  it('under churn and re-announce: nodes replaced during the harvest, coverage still >= 90%', async () => {
    // Ends on events (full metadata coverage after at least two churns), not after a fixed window;
    // durationMs is only a safety cap for a harvest that never gets there.
    const ac = new AbortController()
    const s = await runTestnet({
      nodes: 30,
      torrents: 30,
      seeds: 3,
      seed: 4,
      churnIntervalMs: 200,
      reannounceMs: 2_000,
      durationMs: 120_000,
      statsIntervalMs: 250,
      stopWhenComplete: false,
      signal: ac.signal,
      onEvent: (e) => {
        if (e.event === 'stats' && e.metadataCoverage >= 1 && e.testnet.churn.left >= 2) ac.abort()
      },
    })
    expect(s.testnet.churn.left).toBeGreaterThanOrEqual(2)
    expect(s.testnet.nodes.bbmesh + s.testnet.nodes.stock).toBe(30)
    expect(s.coverage).toBeGreaterThanOrEqual(0.9)
    expect(s.metadataCoverage).toBeGreaterThanOrEqual(0.9)
  }, 180_000)

  it('rejects K < 1', async () => {
    await expect(runTestnet({ harvesters: 0 })).rejects.toMatchObject({ code: 'ERR_TESTNET_OPTIONS' })
  })
})
