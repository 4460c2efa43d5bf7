// `pnpm bench`: the loopback-testnet baseline of issue 5 — wall time to 50/90/95% coverage and
// metadata coverage for K independent harvesters, DHT messages per discovered infohash, BEP-9
// fetches per unique infohash (expect about K), peak RSS per harvester.
// Small by default (60 nodes, 300 torrents, K = 1, 2, 4: a few minutes); BENCH_FULL=1 runs the
// issue's size (300 nodes, 2,000 torrents, K = 1, 4, 8). BENCH_NODES, BENCH_TORRENTS, BENCH_KS (e.g.
// "1,4"), BENCH_STOCK_SHARE, BENCH_SEED and BENCH_DURATION_S override.
// Each K runs in its own child process so peak RSS is its own. Writes bench/results/testnet-*.{json,md}.
// Then membership-cost.ts (a crawl with and without community). BENCH_ONLY=testnet or
// BENCH_ONLY=membership runs one of the two.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchEnv, round, rowPerChild, sec } from './children.js'
import { runMembershipCost } from './membership-cost.js'
import { runTestnet, type RunSummary } from '../src/index.js'

const ONLY = process.env.BENCH_ONLY

const FULL = process.env.BENCH_FULL === '1'
const NODES = Number(process.env.BENCH_NODES ?? (FULL ? 300 : 60))
const TORRENTS = Number(process.env.BENCH_TORRENTS ?? (FULL ? 2_000 : 300))
const KS = process.env.BENCH_KS?.split(',').map(Number) ?? (FULL ? [1, 4, 8] : [1, 2, 4])
const STOCK_SHARE = Number(process.env.BENCH_STOCK_SHARE ?? 1 / 3)
const SEED = Number(process.env.BENCH_SEED ?? 1)
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? (FULL ? 300 : 90))
const here = dirname(fileURLToPath(import.meta.url))
// dist-bench/bench/run.js -> packages/testnet/bench/results
const resultsDir = join(here, '..', '..', 'bench', 'results')

interface Row {
  k: number
  buildMs: number
  /** Torrents whose announce reached at least one node, of TORRENTS. */
  announced: number
  announceMs: number
  coverage: number
  metadataCoverage: number
  timeToCoverage: RunSummary['timeToCoverage']
  timeToMetadataCoverage: RunSummary['timeToMetadataCoverage']
  messagesPerInfohash: number | null
  fetchesPerInfohash: number | null
  peakRssMb: number
  /** (peak RSS - RSS once the testnet was up) / K: what each harvester added. */
  rssPerHarvesterMb: number
}

async function one(k: number): Promise<Row> {
  let rssAtReady = 0
  const s = await runTestnet({
    nodes: NODES,
    stockShare: STOCK_SHARE,
    torrents: TORRENTS,
    seeds: Math.max(3, Math.round(TORRENTS / 10)),
    seed: SEED,
    harvesters: k,
    durationMs: DURATION_S * 1000,
    statsIntervalMs: 10_000,
    onEvent: (e) => {
      if (e.event === 'ready') rssAtReady = process.memoryUsage().rss
      process.stderr.write(
        `K=${k} ${e.event} ${'coverage' in e ? `${e.coverage} ${e.metadataCoverage}` : ''}\n`,
      )
    },
  })
  const peak = process.resourceUsage().maxRSS * 1024
  return {
    k,
    buildMs: s.buildMs,
    announced: s.announced,
    announceMs: s.testnet.announce.ms,
    coverage: s.coverage,
    metadataCoverage: s.metadataCoverage,
    timeToCoverage: s.timeToCoverage,
    timeToMetadataCoverage: s.timeToMetadataCoverage,
    messagesPerInfohash: s.messagesPerInfohash,
    fetchesPerInfohash: s.fetchesPerInfohash,
    peakRssMb: round(peak / 2 ** 20),
    rssPerHarvesterMb: round(Math.max(0, peak - rssAtReady) / 2 ** 20 / k),
  }
}

async function main(): Promise<void> {
  const rows = await rowPerChild<Row>(import.meta.url, KS, (k) => one(Number(k)))
  if (rows === null) return
  const meta = {
    nodes: NODES,
    stockShare: STOCK_SHARE,
    torrents: TORRENTS,
    seed: SEED,
    durationS: DURATION_S,
  }
  const env = benchEnv()
  mkdirSync(resultsDir, { recursive: true })
  const name = `testnet-${NODES}x${TORRENTS}-stock${Math.round(STOCK_SHARE * 100)}`
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify({ ...meta, env, rows }, null, 2) + '\n')
  const md = [
    `# Loopback testnet: ${NODES} nodes (${Math.round(STOCK_SHARE * 100)}% stock), ${TORRENTS} torrents, seed ${SEED}`,
    '',
    `Node ${env.node}, ${env.cpus} CPUs, load ${env.loadavg.join(' ')}. Times in seconds of harvesting`,
    'after the testnet was built and announced; "—": not reached within the run.',
    '',
    '| K | build (announce) | announced | sighted 50/90/95% | metadata 50/90/95% | coverage | metadata | msgs/infohash | fetches/infohash | peak RSS MB | MB/harvester |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.k} | ${sec(r.buildMs)} (${sec(r.announceMs)}) | ${r.announced} | ${['50', '90', '95'].map((l) => sec(r.timeToCoverage[l as '50'])).join(' / ')} | ` +
        `${['50', '90', '95'].map((l) => sec(r.timeToMetadataCoverage[l as '50'])).join(' / ')} | ${r.coverage} | ` +
        `${r.metadataCoverage} | ${r.messagesPerInfohash ?? '—'} | ${r.fetchesPerInfohash ?? '—'} | ${r.peakRssMb} | ${r.rssPerHarvesterMb} |`,
    ),
    '',
  ].join('\n')
  writeFileSync(join(resultsDir, `${name}.md`), md)
  process.stdout.write(md)
}

if (ONLY === undefined || ONLY === 'testnet') await main()
// Not in a child of main (`run.js --one k`): those print one row and stop.
if ((ONLY === undefined || ONLY === 'membership') && !process.argv.includes('--one'))
  await runMembershipCost()
