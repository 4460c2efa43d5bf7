// runSimulation: the same @bbmesh/dht node code and @bbmesh/mesh harvester on an in-memory network
// of thousands of nodes: build the DHT, store the infohashes as announces would, start K independent
// harvesters with a simulated BEP 9 fetcher, track coverage like the loopback testnet, and estimate
// what the measured yields imply for the real DHT. Times are wall-clock milliseconds: @bbmesh/dht
// and the MemoryNetwork run on Node's timers, so virtual time would mean forking them.
import { seededRandom } from '@bbmesh/dht'
import { CoverageTracker } from '../coverage.js'
import { TestnetError } from '../errors.js'
import { generateSimTorrents } from './content.js'
import { estimateSurvey } from './estimate.js'
import { startSimHarvester, type SimHarvester } from './harvester.js'
import { buildSimNetwork, type JoinMode } from './network.js'
import { placeTorrents, SIM_PEER_PORT, type PlacementMode } from './placement.js'
import { SIM_HARVESTER_TUNING, type SimOptions } from './options.js'
import type { SimSummary } from './events.js'
import { sleep } from '../sleep.js'

export type { SimReadyEvent, SimStatsEvent, SimSummary, SimEvent } from './events.js'

const SAMPLE_MS = 1_000

export async function runSimulation(opts: SimOptions = {}): Promise<SimSummary> {
  const n = opts.nodes ?? 1_000
  const m = opts.torrents ?? 2_000
  const k = opts.harvesters ?? 1
  const seed = opts.seed ?? 1
  const seeds = opts.seeds ?? Math.max(1, Math.min(n, Math.ceil(m / 50)))
  if (!Number.isSafeInteger(n) || n < 10) throw new TestnetError('ERR_TESTNET_OPTIONS', 'nodes must be >= 10')
  if (!Number.isSafeInteger(m) || m < 1)
    throw new TestnetError('ERR_TESTNET_OPTIONS', 'torrents must be >= 1')
  if (!Number.isSafeInteger(k) || k < 1)
    throw new TestnetError('ERR_TESTNET_OPTIONS', 'harvesters must be >= 1')
  if (!Number.isSafeInteger(seeds) || seeds < 1 || seeds > n)
    throw new TestnetError('ERR_TESTNET_OPTIONS', 'seeds must be in 1..nodes')
  const join: JoinMode = opts.join ?? (n > 2_000 ? 'direct' : 'lookup')
  const placementMode: PlacementMode = opts.placement ?? (n > 2_000 ? 'direct' : 'announce')
  const emit = opts.onEvent ?? (() => undefined)
  const durationMs = opts.durationMs ?? 120_000
  // Separate streams: node ids, torrents and harvesters do not shift when one of them changes.
  const latencyMs = opts.latencyMs ?? [5, 50]
  // Four worst-case round trips: a lost datagram costs this much, not the public DHT's 2 s.
  const maxLatency = typeof latencyMs === 'number' ? latencyMs : latencyMs[1]
  const timeoutMs = opts.queryTimeoutMs ?? Math.max(200, 8 * maxLatency)
  const t0 = Date.now()
  const sim = await buildSimNetwork({
    nodes: n,
    latencyMs,
    timeoutMs,
    loss: opts.loss ?? 0.01,
    join,
    random: seededRandom(seed * 7 + 1),
    networkSeed: seed * 7 + 2,
    sampleIntervalS: opts.sampleIntervalS ?? 5,
  })
  const harvesters: SimHarvester[] = []
  try {
    const torrents = generateSimTorrents(m, seeds, seededRandom(seed * 7 + 3), String(seed))
    const { report, stored } = await placeTorrents(sim, torrents, {
      mode: placementMode,
      ...(opts.placementConcurrency !== undefined && { concurrency: opts.placementConcurrency }),
    })
    const buildMs = Date.now() - t0
    emit({ event: 'ready', nodes: n, torrents: m, buildMs, join, placement: report })
    // Ground truth for the fetcher: seed i is node i, serving on SIM_PEER_PORT.
    const truth = new Map(
      stored.map((t) => {
        const a = sim.nodes[t.seed]!.address()!
        return [t.infohash, { torrent: t, peers: new Set([`${a.address}:${SIM_PEER_PORT}`]) }] as const
      }),
    )
    const probes: SimHarvester['probe'][] = []
    const tracker = new CoverageTracker({ torrents: stored, probes })
    const started = await Promise.allSettled(
      Array.from({ length: k }, (_, i) =>
        startSimHarvester({
          name: `h${i}`,
          network: sim.network,
          bootstrap: sim.bootstrap,
          seed: seed * 1000 + i,
          nodeIds: opts.harvesterNodeIds ?? 1,
          timeoutMs,
          concurrency: opts.harvesterConcurrency ?? 128,
          fetcher: {
            truth,
            latencyMs: opts.fetchLatencyMs ?? [50, 500],
            failureRate: opts.fetchFailureRate ?? 0.05,
          },
          tuning: { ...SIM_HARVESTER_TUNING, ...opts.tuning },
        }),
      ),
    )
    for (const r of started) if (r.status === 'fulfilled') harvesters.push(r.value)
    const failed = started.find((r) => r.status === 'rejected')
    if (failed) throw failed.reason
    probes.push(...harvesters.map((h) => h.probe))
    const tStart = Date.now()
    const end = tStart + durationMs
    const target = opts.stopAtMetadataCoverage ?? 1
    let nextStats = Date.now() + (opts.statsIntervalMs ?? 5_000)
    for (;;) {
      const snap = await tracker.sample()
      if (snap.metadataCoverage >= target || Date.now() >= end || opts.signal?.aborted) break
      if (Date.now() >= nextStats) {
        emit({ ...snap, network: { ...sim.network.stats } })
        nextStats += opts.statsIntervalMs ?? 5_000
      }
      await sleep(Math.min(SAMPLE_MS, Math.max(0, end - Date.now())), opts.signal)
    }
    const seconds = (Date.now() - tStart) / 1000
    await Promise.all(harvesters.map((h) => h.harvester.stop()))
    const last = await tracker.sample()
    const first = harvesters[0]
    const summary: SimSummary = {
      ...tracker.summary(),
      seed,
      nodes: n,
      torrents: m,
      harvesterCount: k,
      join,
      buildMs,
      placement: report,
      network: { ...sim.network.stats },
      clock: 'wall',
      estimate:
        first && last.harvesters[0]
          ? estimateSurvey(first, last.harvesters[0].sighted, {
              simNodes: n,
              simInfohashes: stored.length,
              seconds,
              ...(opts.realNodes !== undefined && { realNodes: opts.realNodes }),
              ...(opts.politeQueriesPerSecond !== undefined && {
                politeQueriesPerSecond: opts.politeQueriesPerSecond,
              }),
            })
          : null,
    }
    emit(summary)
    return summary
  } finally {
    await Promise.all(harvesters.map((h) => h.stop()))
    await sim.destroy()
  }
}
