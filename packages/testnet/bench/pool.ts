// `pnpm bench` (pool part, issue 12): K members crawling as one against K independent harvesters and
// against one, with the same per-harvester settings in every configuration, so the gain measured is
// cooperation, not bigger knobs. Two settings, each configuration in its own child process:
// - the simulator (virtual time; default 2,000 nodes x 5,000 infohashes: K = 1, 8 independent,
//   8 cooperating, 16 cooperating), where K members really are K times the sampling and fetching;
// - the loopback testnet (default 300 nodes x 2,000 torrents: K = 1, 8 independent, 8 cooperating),
//   where every member, node and seed shares one process on this machine's cores.
// Ratios are against K = 1 of the same run. POOL_SIM_NODES, POOL_SIM_TORRENTS, POOL_SIM_CONFIGS
// ("1,8,8c,16c"; "c" = cooperating), POOL_SIM_WALL_S, POOL_SIM_STOP_AT (union share that ends a row, 1), POOL_TESTNET_NODES, POOL_TESTNET_TORRENTS,
// POOL_TESTNET_CONFIGS, POOL_ONLY=sim|testnet override. Writes bench/results/pool-*.{json,md}.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchEnv, round, rowPerChild, sec } from './children.js'
import { runSimulation, runTestnet, type CoverageSummary, type PoolSummary } from '../src/index.js'

const env = process.env
const ONLY = env.POOL_ONLY
const SIM = {
  nodes: Number(env.POOL_SIM_NODES ?? 2_000),
  torrents: Number(env.POOL_SIM_TORRENTS ?? 5_000),
  configs: (env.POOL_SIM_CONFIGS ?? '1,8,8c,16c').split(','),
  wallS: Number(env.POOL_SIM_WALL_S ?? 900),
  /** Union metadata share that ends a row (a torrent or two may never be fetchable). */
  stopAt: Number(env.POOL_SIM_STOP_AT ?? 1),
}
const TESTNET = {
  nodes: Number(env.POOL_TESTNET_NODES ?? 300),
  torrents: Number(env.POOL_TESTNET_TORRENTS ?? 2_000),
  configs: (env.POOL_TESTNET_CONFIGS ?? '1,8,8c').split(','),
}
/** "A few hours" (BEP 51): the survey time the projection asks members for. */
const SURVEY_HOURS = 3
const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, '..', '..', 'bench', 'results')

type Levels = Record<'50' | '90' | '95', number | null>

interface Row {
  config: string
  k: number
  cooperating: boolean
  /** Union (first member to hold it) and slowest member, ms to 50/90/95% metadata; sighted union. */
  metadata: Levels
  slowest: Levels
  sighted: Levels
  metadataCoverage: number
  fetchesPerInfohash: number | null
  messagesPerInfohash: number | null
  pool: PoolSummary | null
  wallS: number
  /** Simulator only: K = 1's real-DHT survey estimate (days at the polite rate). */
  infohashSurveyDays: number | null
}

const parse = (config: string): { k: number; cooperating: boolean } => ({
  k: Number.parseInt(config, 10),
  cooperating: config.endsWith('c'),
})

async function simRow(config: string): Promise<Row> {
  const { k, cooperating } = parse(config)
  const t0 = Date.now()
  const s = await runSimulation({
    nodes: SIM.nodes,
    torrents: SIM.torrents,
    harvesters: k,
    community: cooperating,
    durationMs: 3_600_000,
    wallLimitMs: SIM.wallS * 1000,
    stopAtMetadataCoverage: SIM.stopAt,
    sampleMs: 1_000,
    statsIntervalMs: 60_000,
    onEvent: (e) => {
      if (e.event !== 'ready') process.stderr.write(`sim ${config} ${e.event} ${e.metadataCoverage}\n`)
    },
  })
  return toRow(config, s, s.community?.pool, t0, s.estimate?.infohashSurveyDays ?? null)
}

async function testnetRow(config: string): Promise<Row> {
  const { k, cooperating } = parse(config)
  const t0 = Date.now()
  const s = await runTestnet({
    nodes: TESTNET.nodes,
    torrents: TESTNET.torrents,
    seeds: Math.max(3, Math.round(TESTNET.torrents / 10)),
    harvesters: k,
    community: cooperating,
    durationMs: 240_000,
    statsIntervalMs: 30_000,
  })
  return toRow(config, s, s.community?.pool, t0, null)
}

function toRow(
  config: string,
  s: CoverageSummary,
  pool: PoolSummary | undefined,
  t0: number,
  infohashSurveyDays: number | null,
): Row {
  return {
    ...parse(config),
    config,
    metadata: s.timeToMetadataCoverage,
    slowest: s.slowestTimeToMetadataCoverage,
    sighted: s.timeToCoverage,
    metadataCoverage: s.metadataCoverage,
    fetchesPerInfohash: s.fetchesPerInfohash,
    messagesPerInfohash: s.messagesPerInfohash,
    pool: pool ?? null,
    wallS: round((Date.now() - t0) / 1000),
    infohashSurveyDays,
  }
}

const ratio = (base: number | null, x: number | null): string =>
  base === null || x === null || x === 0 ? '—' : `${(base / x).toFixed(2)}×`
const lv = (v: Levels): string => (['50', '90', '95'] as const).map((l) => sec(v[l])).join(' / ')

function table(title: string, note: string[], rows: readonly Row[]): string[] {
  const base = rows.find((r) => r.k === 1 && !r.cooperating)
  return [
    `## ${title}`,
    '',
    ...note,
    '',
    '| config | metadata 50/90/95% s (union) | slowest member 50/90/95% s | speed-up at 95% (union / slowest) | swarm fetches/infohash | msgs/infohash (× K = 1) | relay KB/member | wall s |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const name = r.k === 1 ? 'K = 1' : `K = ${r.k} ${r.cooperating ? 'cooperating' : 'independent'}`
      const msgs =
        r.messagesPerInfohash === null
          ? '—'
          : `${r.messagesPerInfohash} (${ratio(r.messagesPerInfohash, base?.messagesPerInfohash ?? null).replace('×', '')}×)`
      return (
        `| ${name} | ${lv(r.metadata)} | ${lv(r.slowest)} | ` +
        `${ratio(base?.metadata['95'] ?? null, r.metadata['95'])} / ${ratio(base?.metadata['95'] ?? null, r.slowest['95'])} | ` +
        `${r.fetchesPerInfohash ?? '—'} | ${msgs} | ${r.pool ? round(r.pool.relayBytesPerMember / 1024) : '—'} | ${r.wallS} |`
      )
    }),
    '',
  ]
}

/** From the simulator: how many cooperating members survey the real DHT within SURVEY_HOURS. */
function projection(rows: readonly Row[]): string[] {
  const base = rows.find((r) => r.k === 1 && !r.cooperating)
  const days = base?.infohashSurveyDays ?? null
  const coop = rows.filter((r) => r.cooperating && r.sighted['95'] !== null)
  if (days === null || base?.sighted['95'] == null || coop.length === 0) return []
  const lines = ["Projection to the real DHT (the simulator's survey model, K = 1 at the polite rate):", '']
  for (const r of coop) {
    // Sampling speed-up per member at this K: what each added member buys.
    const perMember = base.sighted['95'] / r.sighted['95']! / r.k
    const members = Math.ceil((days * 24) / SURVEY_HOURS / perMember)
    lines.push(
      `- one harvester: ${round(days)} days to sight every infohash; at K = ${r.k} each member adds ` +
        `${perMember.toFixed(2)} of a harvester's sampling, so about ${members} members survey it in ${SURVEY_HOURS} h.`,
    )
  }
  return [...lines, '']
}

async function main(): Promise<void> {
  const role = process.argv.indexOf('--one')
  const which = process.argv[process.argv.indexOf('--pool') + 1]
  if (role >= 0) {
    // A child: one configuration of one setting.
    await rowPerChild<Row>(import.meta.url, [], which === 'sim' ? simRow : testnetRow)
    return
  }
  const e = benchEnv()
  const md: string[] = [
    '# Pooled crawling: K cooperating members against K independent harvesters and one',
    '',
    `Node ${e.node}, ${e.cpus} CPUs, load ${e.loadavg.join(' ')} at the start. Every configuration runs each`,
    'harvester with the same settings as K = 1. "Union": the first time any member held it; "slowest":',
    "the first time every member did (cooperating members take the others' torrents by relay).",
    '',
  ]
  const out: Record<string, unknown> = { env: e }
  if (ONLY === undefined || ONLY === 'sim') {
    const rows = await rowPerChild<Row>(import.meta.url, SIM.configs, simRow, ['--pool', 'sim'])
    if (rows) {
      out.sim = { ...SIM, rows }
      md.push(
        ...table(
          `Simulator: ${SIM.nodes} nodes, ${SIM.torrents} infohashes (simulated seconds)`,
          [
            'Virtual time: 5–50 ms datagram latency, 1% loss, BEP 9 over in-memory wires (25–250 ms, 5% dead dials); member links 20–80 ms.',
          ],
          rows,
        ),
        ...projection(rows),
      )
    }
  }
  if (ONLY === undefined || ONLY === 'testnet') {
    const rows = await rowPerChild<Row>(import.meta.url, TESTNET.configs, testnetRow, ['--pool', 'testnet'])
    if (rows) {
      out.testnet = { ...TESTNET, rows }
      md.push(
        ...table(
          `Loopback testnet: ${TESTNET.nodes} nodes (1/3 stock), ${TESTNET.torrents} torrents (wall seconds)`,
          [
            'Real sockets on 127.0.0.1; every member, DHT node and seed in one process, so the times measure',
            "this machine's cores as much as the crawl: K members doing K times the index writes and relay",
            'serving of one are not faster on 2 cores. Read the fetch and message columns here, the times in',
            'the simulator.',
          ],
          rows,
        ),
      )
    }
  }
  mkdirSync(resultsDir, { recursive: true })
  // Named after the settings that ran (POOL_ONLY runs one).
  const name = [
    'pool',
    ...(out.sim ? [`sim${SIM.nodes}x${SIM.torrents}`] : []),
    ...(out.testnet ? [`testnet${TESTNET.nodes}x${TESTNET.torrents}`] : []),
  ].join('-')
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(out, null, 2) + '\n')
  writeFileSync(join(resultsDir, `${name}.md`), md.join('\n'))
  process.stdout.write(md.join('\n'))
}

await main()
