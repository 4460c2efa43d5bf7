// runSimulation: the same @bbmesh/dht node code and @bbmesh/mesh harvester on an in-memory network
// of thousands of nodes: build the DHT, store the infohashes as announces would, start K independent
// harvesters whose BEP 9 fetches run over in-memory wires to the seeds' real metadata servers,
// track coverage like the loopback testnet, and estimate what the measured yields imply for the
// real DHT. Everything runs on one VirtualClock (clock.ts):
// the times to coverage are virtual ms, what the harvest would take on a network with the
// simulated latency, and the wall-clock ms it took to compute are reported next to them.
import { seededRandom } from '@bbmesh/dht'
import { CoverageTracker } from '../coverage.js'
import { TestnetError } from '../errors.js'
import { generateSimTorrents } from './content.js'
import { estimateSurvey, type SurveyMeasure } from './estimate.js'
import { startSimHarvester, type SimHarvester } from './harvester.js'
import { buildSimNetwork, type JoinMode } from './network.js'
import { placeTorrents, SIM_PEER_PORT, type PlacementMode } from './placement.js'
import { SIM_HARVESTER_TUNING, type SimOptions } from './options.js'
import type { SimBep9Counts, SimSummary, SimWallTimes } from './events.js'
import { VirtualClock } from './clock.js'
import { TrafficCounter } from './traffic.js'
import { startSimSeeds, type SimSeeds } from './seeds.js'
import { SimWireNetwork } from './wires.js'
import { linkSimMembers, type MemberLinkStats } from './member-links.js'
import { poolSummary } from '../community.js'
import type { CoverageSummary } from '../coverage.js'

export type { SimReadyEvent, SimStatsEvent, SimSummary, SimEvent } from './events.js'

const SAMPLE_MS = 1_000
/** Harvester 0's sighted share at which its survey is measured for the estimate. */
const SURVEY_COVERAGE = 0.95
const LEVELS = ['50', '90', '95'] as const

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
  const placementMode: PlacementMode = opts.placement ?? (n > 2_000 ? 'store' : 'announce')
  const emit = opts.onEvent ?? (() => undefined)
  const durationMs = opts.durationMs ?? 120_000
  // Separate streams: node ids, torrents and harvesters do not shift when one of them changes.
  const latencyMs = opts.latencyMs ?? [5, 50]
  // Four worst-case round trips: a lost datagram costs this much, not the public DHT's 2 s.
  const maxLatency = typeof latencyMs === 'number' ? latencyMs : latencyMs[1]
  const timeoutMs = opts.queryTimeoutMs ?? Math.max(200, 8 * maxLatency)
  const t0 = Date.now()
  const clock = new VirtualClock()
  const traffic = { nodes: new TrafficCounter(), harvesters: new TrafficCounter() }
  const sim = await clock.drive(
    buildSimNetwork({
      nodes: n,
      latencyMs,
      timeoutMs,
      loss: opts.loss ?? 0.01,
      join,
      random: seededRandom(seed * 7 + 1),
      networkSeed: seed * 7 + 2,
      sampleIntervalS: opts.sampleIntervalS ?? 5,
      clock,
      traffic: traffic.nodes,
    }),
  )
  const harvesters: SimHarvester[] = []
  const wires = new SimWireNetwork({
    clock,
    random: seededRandom(seed * 7 + 5),
    latencyMs: opts.wireLatencyMs ?? [25, 250],
    failureRate: opts.wireFailureRate ?? 0.05,
  })
  let seedServers: SimSeeds | undefined
  let links: { stats: MemberLinkStats; close(): void } | undefined
  try {
    const torrents = generateSimTorrents(m, seeds, seededRandom(seed * 7 + 3), String(seed))
    const { report, stored } = await clock.drive(
      placeTorrents(sim, torrents, {
        mode: placementMode,
        ...(opts.placementConcurrency !== undefined && { concurrency: opts.placementConcurrency }),
      }),
    )
    const buildMs = Date.now() - t0
    emit({ event: 'ready', nodes: n, torrents: m, buildMs, join, placement: report })
    // Seed i is node i, serving the metadata of its torrents on SIM_PEER_PORT.
    seedServers = startSimSeeds(wires, stored, (i) => sim.nodes[i]!.address()!.address, SIM_PEER_PORT)
    const probes: SimHarvester['probe'][] = []
    const tracker = new CoverageTracker({ torrents: stored, probes, now: () => clock.now() })
    const started = await clock.drive(
      Promise.allSettled(
        Array.from({ length: k }, (_, i) =>
          startSimHarvester({
            name: `h${i}`,
            network: sim.network,
            clock,
            traffic: traffic.harvesters,
            bootstrap: sim.bootstrap,
            seed: seed * 1000 + i,
            nodeIds: opts.harvesterNodeIds ?? 1,
            timeoutMs,
            concurrency: opts.harvesterConcurrency ?? 128,
            wires,
            tuning: { ...SIM_HARVESTER_TUNING, ...opts.tuning },
            ...(opts.community === true && {
              pool: opts.replicate === undefined ? {} : { replicate: opts.replicate },
              autoStart: false,
            }),
          }),
        ),
      ),
    )
    for (const r of started) if (r.status === 'fulfilled') harvesters.push(r.value)
    const failed = started.find((r) => r.status === 'rejected')
    if (failed) throw failed.reason
    probes.push(...harvesters.map((h) => h.probe))
    if (opts.community === true) {
      // Members link before the clock starts, as the testnet waits for its mesh: what one fetched
      // before it pooled, the others would fetch again.
      const rng = seededRandom(seed * 7 + 6)
      links = linkSimMembers(
        harvesters.map((h) => ({
          peerId: h.member!.peerId,
          extensions: [h.member!.relay.definition(), h.member!.pool.definition()] as never,
        })),
        clock,
        opts.memberLatencyMs ?? [20, 80],
        () => rng.next(),
      )
      await clock.drive(new Promise<void>((r) => clock.setTimeout(r, 500)))
      for (const h of harvesters) h.harvester.start()
    }
    const sampleMs = opts.sampleMs ?? SAMPLE_MS
    const statsMs = opts.statsIntervalMs ?? 5_000
    const vStart = clock.now()
    const wStart = Date.now()
    const end = vStart + durationMs
    const target = opts.stopAtMetadataCoverage ?? 1
    // Wall ms of every coverage sample, in curve order (the tracker's `t` is virtual).
    const wallAt: number[] = []
    const sample = async (): Promise<Awaited<ReturnType<CoverageTracker['sample']>>> => {
      const snap = await tracker.sample()
      wallAt.push(Date.now() - wStart)
      return snap
    }
    // Harvester 0 when it first sighted 95% (or at the end): what the real-DHT estimate is based on.
    let survey: SurveyMeasure | null = null
    const measureSurvey = (h: SimHarvester, sighted: number, coverage: number): SurveyMeasure => {
      const q = h.traffic.counts.queries
      return {
        messages: (q.find_node ?? 0) + (q.sample_infohashes ?? 0),
        sampleQueries: h.harvester.stats().sampler.sampleQueries,
        nodesDiscovered: h.harvester.stats().nodes.added,
        sighted,
        seconds: (clock.now() - vStart) / 1000,
        coverage,
      }
    }
    const harvest = async (): Promise<SimWallTimes['stoppedBy']> => {
      let nextStats = vStart + statsMs
      for (;;) {
        const snap = await sample()
        const h0 = snap.harvesters[0]
        if (!survey && h0 && harvesters[0] && h0.coverage >= SURVEY_COVERAGE)
          survey = measureSurvey(harvesters[0], h0.sighted, h0.coverage)
        if (snap.metadataCoverage >= target) return 'coverage'
        if (opts.signal?.aborted) return 'abort'
        if (clock.now() >= end) return 'duration'
        if (opts.wallLimitMs !== undefined && Date.now() - wStart >= opts.wallLimitMs) return 'wall-limit'
        if (clock.now() >= nextStats) {
          emit({ ...snap, network: { ...sim.network.stats }, wallMs: Date.now() - wStart })
          nextStats += statsMs
        }
        await new Promise<void>((r) => clock.setTimeout(r, Math.min(sampleMs, end - clock.now())))
      }
    }
    const stoppedBy = await clock.drive(harvest())
    await clock.drive(Promise.all(harvesters.map((h) => h.harvester.stop())))
    const last = await sample()
    const h0 = last.harvesters[0]
    if (!survey && h0 && harvesters[0]) survey = measureSurvey(harvesters[0], h0.sighted, h0.coverage)
    const covered = tracker.summary()
    const wall: SimWallTimes = {
      durationMs: Date.now() - wStart,
      timeToCoverage: wallLevels(covered, wallAt, 'coverage'),
      timeToMetadataCoverage: wallLevels(covered, wallAt, 'metadataCoverage'),
      stoppedBy,
    }
    const summary: SimSummary = {
      ...covered,
      seed,
      nodes: n,
      torrents: m,
      harvesterCount: k,
      join,
      buildMs,
      placement: report,
      network: { ...sim.network.stats },
      clock: 'virtual',
      wall,
      events: clock.fired,
      traffic: { nodes: traffic.nodes.snapshot(), harvesters: traffic.harvesters.snapshot() },
      bep9: { ...sumFetches(harvesters), wire: { ...wires.stats } },
      estimate: survey
        ? estimateSurvey(survey, {
            simNodes: n,
            simInfohashes: stored.length,
            ...(opts.realNodes !== undefined && { realNodes: opts.realNodes }),
            ...(opts.politeQueriesPerSecond !== undefined && {
              politeQueriesPerSecond: opts.politeQueriesPerSecond,
            }),
          })
        : null,
      ...(links !== undefined && {
        community: {
          members: harvesters.length,
          pool: poolSummary(harvesters.map((h) => ({ pool: h.member!.pool, relay: h.member!.relay }))).pool!,
          links: { ...links.stats },
        },
      }),
    }
    emit(summary)
    return summary
  } finally {
    links?.close()
    await clock.drive(Promise.all(harvesters.map((h) => h.stop())))
    await seedServers?.close()
    wires.close()
    await clock.drive(sim.destroy())
  }
}

function sumFetches(hs: readonly SimHarvester[]): SimBep9Counts {
  const sum: SimBep9Counts = { attempts: 0, ok: 0, failed: 0, noMetadata: 0 }
  for (const h of hs) {
    const c = h.fetcher.counters()
    sum.attempts += c.attempts
    sum.ok += c.ok
    sum.failed += c.failed
    sum.noMetadata += c.noMetadata
  }
  return sum
}

function wallLevels(
  s: CoverageSummary,
  wallAt: readonly number[],
  key: 'coverage' | 'metadataCoverage',
): Record<'50' | '90' | '95', number | null> {
  const at = (level: number): number | null => {
    const i = s.curve.findIndex((p) => p[key] >= level)
    return i < 0 ? null : (wallAt[i] ?? null)
  }
  return Object.fromEntries(LEVELS.map((l) => [l, at(Number(l) / 100)])) as Record<
    '50' | '90' | '95',
    number | null
  >
}
