// The simulator at test size: the real @bbmesh/dht nodes and @bbmesh/mesh harvester on an in-memory
// network of a few hundred nodes, with latency and loss, on virtual time. Coverage, duplicated work
// for K = 2, exact replay of a seeded run, and that stopping releases every timer.
import { describe, expect, it } from 'vitest'
import { seededRandom } from '@bbmesh/dht'
import { runSimulation, type SimEvent } from '../src/index.js'
import { generateSimTorrents } from '../src/sim/content.js'
import { buildSimNetwork } from '../src/sim/network.js'
import { placeTorrents } from '../src/sim/placement.js'
import { VirtualClock } from '../src/sim/clock.js'
import { liveResources, waitFor } from './helpers.js'

const released = async (before: Map<string, number>): Promise<void> => {
  const same = (): boolean => [...liveResources()].every(([kind, n]) => n <= (before.get(kind) ?? 0))
  await waitFor(same, 5_000, `resources released (${JSON.stringify([...liveResources()])})`)
}

describe('runSimulation', () => {
  it('K = 1, 300 nodes, 500 infohashes: sights >= 95% and fetches >= 90%, then releases everything', async () => {
    const before = liveResources()
    const events: SimEvent[] = []
    const s = await runSimulation({
      nodes: 300,
      torrents: 500,
      seed: 3,
      join: 'direct',
      placement: 'direct',
      durationMs: 30_000,
      statsIntervalMs: 1_000,
      onEvent: (e) => events.push(e),
    })
    expect(events[0]!.event).toBe('ready')
    expect(events.at(-1)).toBe(s)
    // Each infohash went to the 8 closest nodes; with 1% loss nearly all stores succeed.
    expect(s.placement.stored).toBe(500)
    expect(s.placement.replicas).toBeGreaterThan(500 * 7)
    expect(s.announced).toBe(500)
    expect(s.coverage).toBeGreaterThanOrEqual(0.95)
    expect(s.metadataCoverage).toBeGreaterThanOrEqual(0.9)
    expect(s.harvesters[0]!.unknown).toBe(0)
    // One harvester, one seed per infohash: about one fetch each (5% simulated failures retry).
    expect(s.fetchesPerInfohash).toBeGreaterThanOrEqual(1)
    expect(s.fetchesPerInfohash).toBeLessThan(1.5)
    // BEP 9 ran over in-memory wires: real connections to the seeds' metadata servers, real bytes.
    expect(s.bep9.attempts).toBe(s.harvesters[0]!.metadataFetches)
    expect(s.bep9.ok).toBeGreaterThanOrEqual(450)
    expect(s.bep9.ok + s.bep9.failed + s.bep9.noMetadata).toBeLessThanOrEqual(s.bep9.attempts)
    expect(s.bep9.wire.dials).toBe(s.bep9.attempts)
    expect(s.bep9.wire.connections).toBeGreaterThanOrEqual(s.bep9.ok)
    expect(s.bep9.wire.dead).toBeGreaterThan(0)
    expect(s.bep9.wire.bytes).toBeGreaterThan(s.bep9.ok * 200)
    expect(s.messagesPerInfohash).toBeGreaterThan(0)
    expect(s.network.lost).toBeGreaterThan(0)
    expect(s.clock).toBe('virtual')
    expect(['coverage', 'duration']).toContain(s.wall.stoppedBy)
    expect(s.wall.durationMs).toBeGreaterThan(0)
    expect(s.wall.timeToCoverage['95']).not.toBeNull()
    expect(s.events).toBeGreaterThan(s.network.delivered)
    // Every datagram is accounted for by kind; the simulated nodes only placed and answered (no
    // routing upkeep storm), the harvester sampled and looked up.
    const total = (t: (typeof s.traffic)['nodes']): number =>
      Object.values(t.queries).reduce((a, b) => a + b, 0) + t.responses + t.errors + t.other
    expect(total(s.traffic.nodes) + total(s.traffic.harvesters)).toBe(s.network.sent)
    expect(Object.keys(s.traffic.nodes.queries).sort()).toEqual(['announce_peer', 'get_peers'])
    expect(s.traffic.harvesters.queries.sample_infohashes).toBeGreaterThan(250)
    expect(s.traffic.harvesters.queries.get_peers).toBeGreaterThan(500)
    // Measured over harvester 0's survey: until it had sighted 95%.
    expect(s.estimate?.measured.coverage).toBeGreaterThanOrEqual(0.95)
    expect(s.estimate?.measured.nodesDiscovered).toBeGreaterThan(100)
    expect(s.estimate?.measured.messages).toBeLessThan(s.harvesters[0]!.messagesSent)
    expect(s.estimate?.realNodes).toBe(20_000_000)
    expect(s.estimate?.nodeSurveyDays).toBeGreaterThan(0)
    await released(before)
  }, 60_000)

  it('K = 2: both harvesters cover, the pool pays about 2 fetches per infohash', async () => {
    const s = await runSimulation({
      nodes: 300,
      torrents: 500,
      harvesters: 2,
      seed: 4,
      join: 'direct',
      placement: 'direct',
      durationMs: 40_000,
      stopAtMetadataCoverage: 1,
    })
    for (const h of s.harvesters) expect(h.coverage).toBeGreaterThanOrEqual(0.95)
    // The run stops when the union holds everything; each harvester has fetched most on its own.
    expect(s.metadataCoverage).toBeGreaterThanOrEqual(0.9)
    expect(s.fetchesPerInfohash).toBeGreaterThanOrEqual(1.5)
    expect(s.fetchesPerInfohash).toBeLessThan(3)
  }, 60_000)

  it('K = 4 as one community: each infohash fetched about once, every member ends with nearly all', async () => {
    const run = (community: boolean) =>
      runSimulation({
        nodes: 300,
        torrents: 500,
        harvesters: 4,
        community,
        seed: 4,
        join: 'direct',
        placement: 'direct',
        durationMs: 60_000,
        stopAtMetadataCoverage: 1,
      })
    const [coop, alone] = [await run(true), await run(false)]
    // Independent, the four fetch nearly everything four times; pooled, the owner fetches it once.
    expect(alone.fetchesPerInfohash!).toBeGreaterThan(3)
    expect(coop.fetchesPerInfohash!).toBeLessThanOrEqual(1.1)
    for (const h of coop.harvesters) expect(h.metadataCoverage, h.name).toBeGreaterThanOrEqual(0.9)
    const c = coop.community!
    expect(c.members).toBe(4)
    expect(c.links.links).toBe(6)
    expect(c.links.codecErrors).toBe(0)
    // Nodes are handed to their owner; their samples then hold mostly infohashes the same member owns
    // (nodes store what is XOR-close to them), so few sightings need handing over.
    expect(c.pool.nodesForwarded).toBeGreaterThan(0)
    expect(c.pool.relayedIn).toBeGreaterThanOrEqual(500)
    expect(c.pool.badHash).toBe(0)
  }, 120_000)

  it("K = 3: capture–recapture over the harvesters' sightings finds the population without the truth", async () => {
    // Slow sampling spreads the survey over many coverage samples, so the estimate is seen mid-run.
    const s = await runSimulation({
      nodes: 1000,
      torrents: 3000,
      harvesters: 3,
      seed: 5,
      join: 'direct',
      placement: 'direct',
      durationMs: 60_000,
      stopAtMetadataCoverage: 1,
      tuning: { samplesPerSecond: 40 },
    })
    const mid = s.curve.filter((p) => p.coverage >= 0.75 && p.coverage < 0.99)
    expect(mid.length).toBeGreaterThan(3)
    // Early, the harvesters have walked different parts of the keyspace, where different infohashes
    // live: their samples overlap less than independent ones would and the estimate runs high. From
    // three quarters seen, it is within 10% of the truth (the seed replays exactly).
    for (const p of mid)
      expect(Math.abs(p.estimatedPopulation! - s.announced) / s.announced).toBeLessThan(0.1)
    expect(s.population?.method).toBe('chao2')
    expect(Math.abs(s.population!.estimatedPopulation - s.announced)).toBeLessThanOrEqual(s.announced * 0.02)
  }, 120_000)

  it('real announces (iterative get_peers + announce_peer) on 150 nodes that joined by lookup', async () => {
    const s = await runSimulation({
      nodes: 150,
      torrents: 150,
      seed: 5,
      latencyMs: [1, 10],
      durationMs: 30_000,
    })
    expect(s.join).toBe('lookup')
    expect(s.placement.mode).toBe('announce')
    expect(s.placement.stored).toBeGreaterThanOrEqual(146)
    expect(s.coverage).toBeGreaterThanOrEqual(0.95)
    expect(s.metadataCoverage).toBeGreaterThanOrEqual(0.9)
  }, 60_000)

  it('replays exactly: the same seed gives the same virtual times, counts and curve', async () => {
    const run = async (seed: number): Promise<unknown> => {
      const s = await runSimulation({
        nodes: 150,
        torrents: 200,
        harvesters: 2,
        seed,
        join: 'direct',
        placement: 'store',
        durationMs: 6_000,
      })
      // Only the wall-clock figures may differ between runs.
      const { wall, buildMs, placement, ...rest } = s
      expect(wall.durationMs).toBeGreaterThan(0)
      expect(buildMs).toBeGreaterThanOrEqual(0)
      return { ...rest, placement: { ...placement, ms: 0 } }
    }
    const a = await run(11)
    expect(await run(11)).toEqual(a)
    expect(await run(12)).not.toEqual(a)
  }, 60_000)

  it("'store' placement puts each infohash in its 8 closest nodes' peer stores, without datagrams", async () => {
    const sim = await buildSimNetwork({
      nodes: 150,
      latencyMs: [1, 5],
      loss: 0,
      join: 'direct',
      random: seededRandom(3),
      networkSeed: 4,
      sampleIntervalS: 5,
      timeoutMs: 200,
      clock: new VirtualClock(),
    })
    try {
      const torrents = generateSimTorrents(300, 3, seededRandom(5), 'store')
      const sent = sim.network.stats.sent
      const { report } = await placeTorrents(sim, torrents, { mode: 'store' })
      expect(sim.network.stats.sent).toBe(sent)
      expect(report.stored).toBe(300)
      const held = sim.nodes.reduce((n, d) => n + d.stats().storedInfohashes, 0)
      expect(held).toBe(report.replicas)
      // 8 each, less the seed itself where it is among the closest.
      expect(report.replicas).toBeGreaterThan(300 * 7)
    } finally {
      await sim.destroy()
    }
  })

  it('the same seed gives the same network, torrents and storage; another seed does not', async () => {
    const layout = async (seed: number): Promise<{ ids: string[]; hashes: string[]; stored: number[] }> => {
      const clock = new VirtualClock()
      const sim = await buildSimNetwork({
        clock,
        nodes: 150,
        latencyMs: [1, 5],
        loss: 0,
        join: 'direct',
        random: seededRandom(seed),
        networkSeed: seed + 1,
        sampleIntervalS: 5,
        timeoutMs: 200,
      })
      try {
        const torrents = generateSimTorrents(300, 3, seededRandom(seed + 2), String(seed))
        await clock.drive(placeTorrents(sim, torrents, { mode: 'direct' }))
        return {
          ids: sim.ids.map((b) => b.toString('hex')),
          hashes: torrents.map((t) => t.infohash),
          stored: sim.nodes.map((n) => n.stats().storedInfohashes),
        }
      } finally {
        await clock.drive(sim.destroy())
      }
    }
    const a = await layout(9)
    const b = await layout(9)
    const c = await layout(10)
    expect(b).toEqual(a)
    expect(a.stored.reduce((x, y) => x + y, 0)).toBeGreaterThan(300 * 7)
    expect(c.ids).not.toEqual(a.ids)
    expect(c.hashes).not.toEqual(a.hashes)
  }, 30_000)

  it('an abort stops the run early and still releases every node, harvester and timer', async () => {
    const before = liveResources()
    const ac = new AbortController()
    const s = await runSimulation({
      nodes: 200,
      torrents: 300,
      seed: 6,
      join: 'direct',
      placement: 'direct',
      durationMs: 60_000,
      signal: ac.signal,
      onEvent: (e) => {
        // At once, not after a wall-clock pause: on an idle CI machine the simulation reached full
        // coverage within 300 ms of 'ready' and ended by itself before the abort.
        if (e.event === 'ready') ac.abort()
      },
    })
    expect(s.wall.stoppedBy).toBe('abort')
    expect(s.durationMs).toBeLessThan(60_000)
    await released(before)
  }, 30_000)

  it('rejects nonsense sizes', async () => {
    await expect(runSimulation({ nodes: 5 })).rejects.toMatchObject({ code: 'ERR_TESTNET_OPTIONS' })
    await expect(runSimulation({ harvesters: 0 })).rejects.toMatchObject({ code: 'ERR_TESTNET_OPTIONS' })
  })
})
