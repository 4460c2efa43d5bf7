// The cost membership adds to a crawl (issue 11, "Benchmarks"): the same loopback testnet and seed,
// K harvesters crawling for a fixed time, once as independent harvesters and once as one community
// (`community: true, pool: false`: rendezvous announces/lookups on each harvester's DHT node, bb_members gossip).
// Reports DHT messages/s of the harvesters (queriesOut, rendezvous queries included), their ratio,
// and bb_members bytes/s. Each variant in its own child process. Called from run.ts; alone:
// `BENCH_ONLY=membership pnpm --filter @bbmesh/testnet bench`. COST_NODES (60), COST_TORRENTS (300),
// COST_K (4), COST_DURATION_S (60) and BENCH_SEED (1) override. Writes bench/results/membership-cost.*.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchEnv, round, rowPerChild } from './children.js'
import { runTestnet, TESTNET_MESH_TUNING, type CommunitySummary } from '../src/index.js'

const NODES = Number(process.env.COST_NODES ?? 60)
const TORRENTS = Number(process.env.COST_TORRENTS ?? 300)
const K = Number(process.env.COST_K ?? 4)
const DURATION_S = Number(process.env.COST_DURATION_S ?? 60)
const SEED = Number(process.env.BENCH_SEED ?? 1)
// dist-bench/bench/membership-cost.js -> packages/testnet/bench/results
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results')

export interface CostRow {
  community: boolean
  durationS: number
  dhtMessages: number
  dhtMessagesPerS: number
  messagesPerInfohash: number | null
  coverage: number
  metadataCoverage: number
  /** bb_members bytes (delta payloads) and messages of all members, per second of the run. */
  membersBytesPerS: number
  membersMessagesPerS: number
  summary?: CommunitySummary
}

async function one(withCommunity: number): Promise<CostRow> {
  const s = await runTestnet({
    nodes: NODES,
    torrents: TORRENTS,
    seeds: Math.max(3, Math.round(TORRENTS / 10)),
    seed: SEED,
    harvesters: K,
    durationMs: DURATION_S * 1000,
    // A fixed window, so messages/s compare like with like.
    stopWhenComplete: false,
    statsIntervalMs: 10_000,
    community: withCommunity === 1,
    // Membership alone, as measured before pooling existed (pool.ts measures pooling).
    pool: false,
    onEvent: (e) => {
      if (e.event !== 'stats') process.stderr.write(`membership-cost community=${withCommunity} ${e.event}\n`)
    },
  })
  const durationS = s.durationMs / 1000
  const dhtMessages = s.harvesters.reduce((n, h) => n + h.messagesSent, 0)
  const c = s.community
  return {
    community: withCommunity === 1,
    durationS: round(durationS),
    dhtMessages,
    dhtMessagesPerS: round(dhtMessages / durationS),
    messagesPerInfohash: s.messagesPerInfohash,
    coverage: s.coverage,
    metadataCoverage: s.metadataCoverage,
    membersBytesPerS: c ? round((c.perMember.bytesOut * c.members) / durationS) : 0,
    membersMessagesPerS: c ? round((c.perMember.messagesOut * c.members) / durationS) : 0,
    ...(c && { summary: c }),
  }
}

export async function runMembershipCost(): Promise<void> {
  const rows = await rowPerChild<CostRow>(import.meta.url, [0, 1], (k) => one(Number(k)))
  if (rows === null) return
  const [off, on] = rows as [CostRow, CostRow]
  const ratio =
    off.dhtMessagesPerS > 0 ? Math.round((on.dhtMessagesPerS / off.dhtMessagesPerS) * 100) / 100 : null
  const env = benchEnv()
  const meta = {
    nodes: NODES,
    torrents: TORRENTS,
    harvesters: K,
    durationS: DURATION_S,
    seed: SEED,
    tuning: TESTNET_MESH_TUNING,
  }
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(
    join(resultsDir, 'membership-cost.json'),
    JSON.stringify({ ...meta, env, ratio, rows }, null, 2) + '\n',
  )
  const t = TESTNET_MESH_TUNING
  const md = [
    `# What membership adds to a crawl: ${NODES} nodes, ${TORRENTS} torrents, K = ${K}, ${DURATION_S} s, seed ${SEED}`,
    '',
    `Node ${env.node}, ${env.cpus} CPUs, load ${env.loadavg.join(' ')} (shared machine). Same testnet and seed twice;`,
    `with community the K harvesters are one community on the testnet schedule (gossip ${t.gossipIntervalMs} ms,`,
    `gone after ${t.goneAfterMs! / 1000} s, announce every ${t.rendezvous!.announceIntervalMs! / 1000} s, first lookup ${t.rendezvous!.lookupMinMs} ms).`,
    'DHT messages: queries the harvesters sent (rendezvous announces and lookups included).',
    `Rerun: \`BENCH_ONLY=membership pnpm --filter @bbmesh/testnet bench\`.`,
    '',
    '| crawl | DHT msgs | DHT msgs/s | msgs/infohash | coverage | metadata | converged s | bb_members msgs/s | bb_members bytes/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.community ? 'community' : 'independent'} | ${r.dhtMessages} | ${r.dhtMessagesPerS} | ${r.messagesPerInfohash ?? '—'} | ` +
        `${r.coverage} | ${r.metadataCoverage} | ${r.summary?.convergedMs != null ? (r.summary.convergedMs / 1000).toFixed(1) : '—'} | ` +
        `${r.membersMessagesPerS} | ${r.membersBytesPerS} |`,
    ),
    '',
    `DHT messages/s with community ÷ without: ${ratio ?? '—'}.`,
    '',
  ].join('\n')
  writeFileSync(join(resultsDir, 'membership-cost.md'), md)
  process.stdout.write(md)
}

// A child (`membership-cost.js --one 0|1`) prints its row; run.ts calls runMembershipCost itself.
if (process.argv[1] === fileURLToPath(import.meta.url)) await runMembershipCost()
