// `pnpm bench:sim`: the simulator baseline of issue 5 — on a seeded in-memory DHT, wall time to
// 50/90/95% sighted and metadata coverage for K independent harvesters, DHT messages per
// discovered infohash, simulated BEP-9 fetches per unique infohash (expect about K), peak RSS,
// and the real-DHT survey estimate from the K = 1 run. Every time is wall-clock (see src/sim/run.ts).
// Defaults: the 10,000 nodes, 50,000 infohashes, K = 1, 4, 8. SIM_NODES, SIM_TORRENTS,
// SIM_KS ("1,4"), SIM_SEED, SIM_DURATION_S, SIM_LOSS, SIM_TIMEOUT_MS override. Each K runs in its own child
// process (its peak RSS is its own). Writes bench/results/sim-<nodes>x<torrents>.{json,md}.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchEnv, round, rowPerChild, sec } from './children.js'
import { runSimulation, type SimSummary, type SurveyEstimate } from '../src/index.js'

const NODES = Number(process.env.SIM_NODES ?? 10_000)
const TORRENTS = Number(process.env.SIM_TORRENTS ?? 50_000)
const KS = process.env.SIM_KS?.split(',').map(Number) ?? [1, 4, 8]
const SEED = Number(process.env.SIM_SEED ?? 1)
const DURATION_S = Number(process.env.SIM_DURATION_S ?? 300)
const LOSS = Number(process.env.SIM_LOSS ?? 0.01)
const TIMEOUT_MS = Number(process.env.SIM_TIMEOUT_MS ?? 1_500)
const here = dirname(fileURLToPath(import.meta.url))
// dist-bench/bench/sim.js -> packages/testnet/bench/results
const resultsDir = join(here, '..', '..', 'bench', 'results')

interface Row {
  k: number
  buildMs: number
  placementMs: number
  stored: number
  harvestS: number
  coverage: number
  metadataCoverage: number
  timeToCoverage: SimSummary['timeToCoverage']
  timeToMetadataCoverage: SimSummary['timeToMetadataCoverage']
  messagesPerInfohash: number | null
  fetchesPerInfohash: number | null
  datagrams: number
  peakRssMb: number
  rssPerHarvesterMb: number
  estimate: SurveyEstimate | null
}

async function one(k: number): Promise<Row> {
  let rssAtReady = 0
  const s = await runSimulation({
    nodes: NODES,
    torrents: TORRENTS,
    harvesters: k,
    seed: SEED,
    loss: LOSS,
    // A loaded 2-core process lags hundreds of ms: a longer timeout than the sim default keeps
    // event-loop lag from passing for datagram loss.
    queryTimeoutMs: TIMEOUT_MS,
    durationMs: DURATION_S * 1000,
    statsIntervalMs: 10_000,
    onEvent: (e) => {
      if (e.event === 'ready') rssAtReady = process.memoryUsage().rss
      const t = e.event === 'stats' ? e.t : e.event === 'summary' ? e.durationMs : 0
      const what =
        e.event === 'ready' ? `build ${e.buildMs} ms` : `t=${t} ${e.coverage} ${e.metadataCoverage}`
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
    coverage: s.coverage,
    metadataCoverage: s.metadataCoverage,
    timeToCoverage: s.timeToCoverage,
    timeToMetadataCoverage: s.timeToMetadataCoverage,
    messagesPerInfohash: s.messagesPerInfohash,
    fetchesPerInfohash: s.fetchesPerInfohash,
    datagrams: s.network.sent,
    peakRssMb: round(peak / 2 ** 20),
    rssPerHarvesterMb: round(Math.max(0, peak - rssAtReady) / 2 ** 20 / k),
    estimate: s.estimate,
  }
}

const levels = (r: Record<'50' | '90' | '95', number | null>): string =>
  (['50', '90', '95'] as const).map((l) => sec(r[l])).join(' / ')

async function main(): Promise<void> {
  const rows = await rowPerChild<Row>(import.meta.url, KS, one)
  if (rows === null) return
  const meta = {
    nodes: NODES,
    torrents: TORRENTS,
    seed: SEED,
    durationS: DURATION_S,
    loss: LOSS,
    // A loaded 2-core process lags hundreds of ms: a longer timeout than the sim default keeps
    // event-loop lag from passing for datagram loss.
    queryTimeoutMs: TIMEOUT_MS,
    clock: 'wall',
  }
  const env = benchEnv()
  mkdirSync(resultsDir, { recursive: true })
  const name = `sim-${NODES}x${TORRENTS}`
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify({ ...meta, env, rows }, null, 2) + '\n')
  const est = rows.find((r) => r.k === 1)?.estimate ?? rows[0]?.estimate ?? null
  const md = [
    `# Simulator: ${NODES} in-memory DHT nodes, ${TORRENTS} infohashes, seed ${SEED}, loss ${LOSS}`,
    '',
    `Node ${env.node}, ${env.cpus} CPUs (shared), load ${env.loadavg.join(' ')}. Wall-clock seconds of`,
    'harvesting after the network was built and the infohashes stored; "—": not reached within the run.',
    'BEP 9 is simulated (answers from the ground truth after 50–500 ms, 5% failures).',
    '',
    '| K | build s (placement) | stored | sighted 50/90/95% | metadata 50/90/95% | coverage | metadata | msgs/infohash | fetches/infohash | datagrams | peak RSS MB | MB/harvester |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.k} | ${sec(r.buildMs)} (${sec(r.placementMs)}) | ${r.stored} | ${levels(r.timeToCoverage)} | ` +
        `${levels(r.timeToMetadataCoverage)} | ${r.coverage} | ${r.metadataCoverage} | ${r.messagesPerInfohash ?? '—'} | ` +
        `${r.fetchesPerInfohash ?? '—'} | ${r.datagrams} | ${r.peakRssMb} | ${r.rssPerHarvesterMb} |`,
    ),
    '',
    ...(est
      ? [
          '## What it implies for the real DHT (one harvester)',
          '',
          `Model: ${est.model}.`,
          '',
          `Measured (K = 1): ${est.measured.messages} messages in ${est.measured.seconds} s ` +
            `(${est.measured.messagesPerSecond}/s), ${est.measured.nodesDiscovered} nodes and ` +
            `${est.measured.infohashesDiscovered} infohashes discovered: ${est.measured.nodesPerMessage} nodes and ` +
            `${est.measured.infohashesPerMessage} infohashes per message.`,
          '',
          `Real DHT: ${est.realNodes} nodes, ${est.realInfohashes} infohashes at the simulated density. ` +
            `At a polite ${est.politeQueriesPerSecond} queries/s: nodes ${est.nodeSurveyDays ?? '—'} days, ` +
            `infohashes ${est.infohashSurveyDays ?? '—'} days. At the simulated rate: ` +
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
