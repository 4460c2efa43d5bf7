// `pnpm bench:sim`: the simulator baseline of issue 5 — on a seeded in-memory DHT running on
// virtual time, the simulated and the wall-clock time to 50/90/95% sighted and metadata coverage
// for K independent harvesters, DHT messages per discovered infohash, BEP-9 fetches (over in-memory
// wires) per
// unique infohash (expect about K), peak RSS, and the real-DHT survey estimate from the K = 1 run.
// Defaults: the issue's 10,000 nodes, 50,000 infohashes, K = 1, 4, 8. SIM_NODES, SIM_TORRENTS,
// SIM_KS ("1,4"), SIM_SEED, SIM_DURATION_S (simulated), SIM_WALL_S (real seconds per K, one value
// or one per K: "720,420,420"), SIM_STOP_AT (metadata share that ends a row, default 0.95),
// SIM_SAMPLE_MS, SIM_LOSS override. SIM_KEEP=1 keeps the rows of other Ks from the existing results
// file of the same size and seed (re-run one K; virtual-time rows are reproducible). Each K runs in its own child
// process (its peak RSS is its own). Writes bench/results/sim-<nodes>x<torrents>.{json,md}.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchEnv, round, rowPerChild, sec } from './children.js'
import { runSimulation, type SimSummary, type SurveyEstimate } from '../src/index.js'

const NODES = Number(process.env.SIM_NODES ?? 10_000)
const TORRENTS = Number(process.env.SIM_TORRENTS ?? 50_000)
const KS = process.env.SIM_KS?.split(',').map(Number) ?? [1, 4, 8]
const SEED = Number(process.env.SIM_SEED ?? 1)
const DURATION_S = Number(process.env.SIM_DURATION_S ?? 3_600)
const WALL_S = (process.env.SIM_WALL_S ?? '720,420,420').split(',').map(Number)
const STOP_AT = Number(process.env.SIM_STOP_AT ?? 0.95)
const SAMPLE_MS = Number(process.env.SIM_SAMPLE_MS ?? 2_000)
const LOSS = Number(process.env.SIM_LOSS ?? 0.01)
const here = dirname(fileURLToPath(import.meta.url))
// dist-bench/bench/sim.js -> packages/testnet/bench/results
const resultsDir = join(here, '..', '..', 'bench', 'results')

const wallLimitS = (k: number): number => WALL_S[KS.indexOf(k)] ?? WALL_S.at(-1) ?? 360

type Levels = SimSummary['timeToCoverage']

interface Row {
  k: number
  buildMs: number
  placementMs: number
  stored: number
  /** Harvest length: simulated and real seconds, and what ended it. */
  harvestS: number
  harvestWallS: number
  wallLimitS: number
  stoppedBy: SimSummary['wall']['stoppedBy']
  coverage: number
  metadataCoverage: number
  /** Simulated ms (virtual clock). */
  timeToCoverage: Levels
  timeToMetadataCoverage: Levels
  /** Wall-clock ms of the same points. */
  wallToCoverage: Levels
  wallToMetadataCoverage: Levels
  messagesPerInfohash: number | null
  fetchesPerInfohash: number | null
  harvesterMessages: number
  datagrams: number
  events: number
  peakRssMb: number
  rssPerHarvesterMb: number
  loadavgEnd: number[]
  traffic: SimSummary['traffic']
  bep9: SimSummary['bep9']
  estimate: SurveyEstimate | null
}

async function one(k: number): Promise<Row> {
  let rssAtReady = 0
  const limit = wallLimitS(k)
  const s = await runSimulation({
    nodes: NODES,
    torrents: TORRENTS,
    harvesters: k,
    seed: SEED,
    loss: LOSS,
    durationMs: DURATION_S * 1000,
    wallLimitMs: limit * 1000,
    stopAtMetadataCoverage: STOP_AT,
    sampleMs: SAMPLE_MS,
    statsIntervalMs: 20_000,
    onEvent: (e) => {
      if (e.event === 'ready') rssAtReady = process.memoryUsage().rss
      const what =
        e.event === 'ready'
          ? `build ${e.buildMs} ms`
          : e.event === 'stats'
            ? `t=${sec(e.t)} s (wall ${sec(e.wallMs)} s) ${e.coverage} ${e.metadataCoverage} datagrams ${e.network.sent}`
            : `t=${sec(e.durationMs)} s (wall ${sec(e.wall.durationMs)} s) ${e.coverage} ${e.metadataCoverage}`
      process.stderr.write(`K=${k} ${e.event} ${what}\n`)
    },
  })
  const peak = process.resourceUsage().maxRSS * 1024
  return {
    k,
    buildMs: s.buildMs,
    placementMs: s.placement.ms,
    stored: s.placement.stored,
    harvestS: round(s.durationMs / 1000),
    harvestWallS: round(s.wall.durationMs / 1000),
    wallLimitS: limit,
    stoppedBy: s.wall.stoppedBy,
    coverage: s.coverage,
    metadataCoverage: s.metadataCoverage,
    timeToCoverage: s.timeToCoverage,
    timeToMetadataCoverage: s.timeToMetadataCoverage,
    wallToCoverage: s.wall.timeToCoverage,
    wallToMetadataCoverage: s.wall.timeToMetadataCoverage,
    messagesPerInfohash: s.messagesPerInfohash,
    fetchesPerInfohash: s.fetchesPerInfohash,
    harvesterMessages: s.harvesters.reduce((n, h) => n + h.messagesSent, 0),
    datagrams: s.network.sent,
    events: s.events,
    peakRssMb: round(peak / 2 ** 20),
    rssPerHarvesterMb: round(Math.max(0, peak - rssAtReady) / 2 ** 20 / k),
    loadavgEnd: loadavg().map((x) => round(x)),
    traffic: s.traffic,
    bep9: s.bep9,
    estimate: s.estimate,
  }
}

/** "23.1 (55.2)": simulated seconds, then wall seconds in parentheses; "—" when not reached. */
const byMethod = (q: Record<string, number>): string =>
  Object.entries(q)
    .sort((a, b) => b[1] - a[1])
    .map(([m, n]) => `${m} ${n}`)
    .join(', ') || 'none'

const levels = (v: Levels, w: Levels): string =>
  (['50', '90', '95'] as const).map((l) => (v[l] === null ? '—' : `${sec(v[l])} (${sec(w[l])})`)).join(' / ')

function keptRows(fresh: readonly Row[]): Row[] {
  const file = join(resultsDir, `sim-${NODES}x${TORRENTS}.json`)
  if (process.env.SIM_KEEP !== '1' || !existsSync(file)) return []
  const old = JSON.parse(readFileSync(file, 'utf8')) as { seed: number; rows: Row[] }
  if (old.seed !== SEED) return []
  // Rows measured before BEP 9 ran over in-memory wires (no `bep9`) are not comparable: dropped.
  return old.rows.filter((r) => r.bep9 !== undefined && !fresh.some((f) => f.k === r.k))
}

async function main(): Promise<void> {
  const env = benchEnv()
  const fresh = await rowPerChild<Row>(import.meta.url, KS, (k) => one(Number(k)))
  if (fresh === null) return
  const rows = [...keptRows(fresh), ...fresh].sort((a, b) => a.k - b.k)
  const meta = {
    nodes: NODES,
    torrents: TORRENTS,
    seed: SEED,
    loss: LOSS,
    durationS: DURATION_S,
    wallLimitS: KS.map(wallLimitS),
    stopAtMetadataCoverage: STOP_AT,
    sampleMs: SAMPLE_MS,
    clock: 'virtual',
  }
  mkdirSync(resultsDir, { recursive: true })
  const name = `sim-${NODES}x${TORRENTS}`
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify({ ...meta, env, rows }, null, 2) + '\n')
  const est = rows.find((r) => r.k === 1)?.estimate ?? rows[0]?.estimate ?? null
  const md = [
    `# Simulator: ${NODES} in-memory DHT nodes, ${TORRENTS} infohashes, seed ${SEED}, loss ${LOSS}`,
    '',
    `Node ${env.node}, ${env.cpus} CPUs shared with other work: load ${env.loadavg.join(' ')} when the`,
    `bench started, ${rows.map((r) => `${r.loadavgEnd[0]} after K = ${r.k}`).join(', ')}. The whole`,
    'simulation runs on a virtual clock: "simulated s" is what the harvest takes on a network with',
    '5–50 ms one-way latency and 1% loss; "(wall s)" is the real time this machine needed to compute it.',
    `Each K stops at ${STOP_AT * 100}% metadata, at ${DURATION_S} simulated s or at its wall limit ("ended by").`,
    'Infohashes are stored in the 8 closest nodes\' peer stores (placement "store"). BEP 9 runs over',
    'in-memory wires: each seed is a real @bbmesh/wire MetadataServer, each harvester fetches with',
    "mesh's wire fetcher; a connection's one-way latency is drawn from 25–250 ms and 5% of dials hang",
    'like a dead peer. "—": not reached.',
    '',
    '| K | build s (placement) | sighted 50/90/95%: simulated s (wall s) | metadata 50/90/95%: simulated s (wall s) | sighted | metadata | harvest simulated s / wall s (ended by) | msgs/infohash | fetches/infohash | harvester msgs | datagrams | peak RSS MB | MB/harvester |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.k} | ${sec(r.buildMs)} (${sec(r.placementMs)}) | ${levels(r.timeToCoverage, r.wallToCoverage)} | ` +
        `${levels(r.timeToMetadataCoverage, r.wallToMetadataCoverage)} | ${r.coverage} | ${r.metadataCoverage} | ` +
        `${r.harvestS} / ${r.harvestWallS} (${r.stoppedBy}) | ${r.messagesPerInfohash ?? '—'} | ` +
        `${r.fetchesPerInfohash ?? '—'} | ${r.harvesterMessages} | ${r.datagrams} | ${r.peakRssMb} | ${r.rssPerHarvesterMb} |`,
    ),
    '',
    'Datagrams by kind (build, placement and harvest), sent by the harvesters and by the simulated nodes:',
    '',
    '| K | harvester queries | harvester replies | node queries | node replies (errors) |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.k} | ${byMethod(r.traffic.harvesters.queries)} | ${r.traffic.harvesters.responses} | ` +
        `${byMethod(r.traffic.nodes.queries)} | ${r.traffic.nodes.responses} (${r.traffic.nodes.errors}) |`,
    ),
    '',
    'BEP 9 over the in-memory wires:',
    '',
    '| K | fetch attempts | ok | failed | no metadata | connections | MB carried |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.k} | ${r.bep9.attempts} | ${r.bep9.ok} | ${r.bep9.failed} | ${r.bep9.noMetadata} | ` +
        `${r.bep9.wire.connections} | ${round(r.bep9.wire.bytes / 1e6)} |`,
    ),
    '',
    ...(est
      ? [
          '## What it implies for the real DHT (one harvester)',
          '',
          `Model: ${est.model}.`,
          '',
          `Measured (K = 1, harvester 0 until it had sighted ${(est.measured.coverage * 100).toFixed(1)}%): ` +
            `${est.measured.messages} discovery messages (find_node, sample_infohashes) in ${est.measured.seconds} simulated s ` +
            `(${est.measured.messagesPerSecond}/s), ${est.measured.nodesDiscovered} nodes and ` +
            `${est.measured.infohashesDiscovered} infohashes discovered: ${est.measured.nodesPerMessage} nodes and ` +
            `${est.measured.infohashesPerMessage} infohashes per message.`,
          '',
          `Real DHT: ${est.realNodes} nodes, ${est.realInfohashes} infohashes at the simulated density. ` +
            `At a polite ${est.politeQueriesPerSecond} queries/s: nodes ${est.nodeSurveyDays ?? '—'} days, ` +
            `infohashes ${est.infohashSurveyDays ?? '—'} days. At the simulated rate (simulated time): ` +
            `${est.nodeSurveyDaysAtSimRate ?? '—'} / ${est.infohashSurveyDaysAtSimRate ?? '—'} days.`,
          '',
          'Assumptions:',
          ...est.assumptions.map((a) => `- ${a}`),
          '',
        ]
      : []),
  ].join('\n')
  writeFileSync(join(resultsDir, `${name}.md`), md)
  process.stdout.write(md)
}

await main()
