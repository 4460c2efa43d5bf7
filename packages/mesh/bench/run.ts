import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runMembershipBench } from './membership.js'
import { runSearchBench } from './search.js'
import { runSyncBench } from './sync.js'
import { buildTorrent } from '@bbmesh/catalog'
import { openIndex } from '@bbmesh/index'
import { BloomFilter, Triage, createHarvester, toHex } from '../src/index.js'
import type { Endpoint, HarvestDht, MetadataFetcher, Observation } from '../src/index.js'

// `pnpm bench` (seconds) or `MESH_BENCH_SCALE=10 pnpm bench` (ten times the items). Measures what the
// pipeline itself costs, with no network: Bloom filter, triage over a real SQLite index, and the
// whole harvester from observation to ingested torrent with an instant fetcher. Writes
// bench/results/mesh-<scale>.{json,md}. Nothing is asserted; the numbers are reported.
// Then the membership benchmark (bench/membership.ts, a few minutes on loopback), the catch-up
// sync benchmark (bench/sync.ts, 100,000 torrents by default: a few minutes) and the bb_search
// fan-out (bench/search.ts). BENCH_ONLY=pipeline, membership, sync or search runs one of them.

const ONLY = process.env.BENCH_ONLY
const SCALE = Number(process.env.MESH_BENCH_SCALE ?? 1)
const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, '..', '..', 'bench', 'results')
const rows: { bench: string; items: number; ms: number; perSecond: number; note: string }[] = []

function record(bench: string, items: number, ms: number, note = ''): void {
  rows.push({ bench, items, ms: Math.round(ms), perSecond: Math.round((items / ms) * 1000), note })
  console.log(`${bench.padEnd(40)} ${String(items).padStart(8)} in ${ms.toFixed(0).padStart(6)} ms  ${note}`)
}

function bloom(): void {
  const n = 200_000 * SCALE
  const keys = Array.from({ length: n }, () => randomBytes(20))
  const other = Array.from({ length: n }, () => randomBytes(20))
  const b = new BloomFilter({ expectedItems: n, falsePositiveRate: 1e-4 })
  let t0 = performance.now()
  for (const k of keys) b.add(k)
  record(
    'bloom add',
    n,
    performance.now() - t0,
    `${(b.byteLength / 1024 / 1024).toFixed(1)} MB, k=${b.hashCount}`,
  )
  t0 = performance.now()
  let fp = 0
  for (const k of other) if (b.has(k)) fp++
  record(
    'bloom has (absent keys)',
    n,
    performance.now() - t0,
    `false positives ${fp} (${((fp / n) * 100).toFixed(3)}%)`,
  )
}

async function triage(dir: string): Promise<void> {
  const n = 20_000 * SCALE
  const index = await openIndex({ path: join(dir, 'triage.db') })
  const t = new Triage({ known: index, maxPending: n * 2 })
  const keys = Array.from({ length: n }, () => randomBytes(20))
  let t0 = performance.now()
  for (const k of keys) await t.offer(k)
  record('triage: new (one index lookup each)', n, performance.now() - t0)
  t0 = performance.now()
  for (const k of keys) await t.offer(k)
  record('triage: repeat sighting of pending', n, performance.now() - t0)
  for (let c = t.tryNext(); c !== undefined; c = t.tryNext()) t.settle(c.infohash)
  t0 = performance.now()
  for (const k of keys) await t.offer(k)
  record('triage: known (Bloom hit)', n, performance.now() - t0)
  await index.close()
}

/** Every observed infohash has one peer that hands its info dict over at once. */
async function harvester(dir: string): Promise<void> {
  const m = 1_000 * SCALE
  const infos = new Map<string, Uint8Array>()
  const ihs: Uint8Array[] = []
  for (let i = 0; i < m; i++) {
    const built = await buildTorrent(
      { name: `bench-${i}`, files: [{ path: ['f', `${i}.bin`], data: new Uint8Array(2_000).fill(i % 251) }] },
      { version: 'v1' },
    )
    infos.set(toHex(built.infohashV1!), built.info)
    ihs.push(built.infohashV1!)
  }
  const listeners = new Set<(o: Observation) => void>()
  const peer: Endpoint = { host: '127.0.0.1', port: 1 }
  const dht: HarvestDht = {
    observe: (l) => (listeners.add(l), () => listeners.delete(l)),
    findNodes: async () => [],
    sample: async () => ({ interval: 0, num: 0, samples: [], nodes: [] }),
    getPeers: async () => [peer],
  }
  const fetcher: MetadataFetcher = { fetch: async (ih) => infos.get(toHex(ih))! }
  const index = await openIndex({ path: join(dir, 'harvest.db') })
  const h = createHarvester({
    dht,
    fetcher,
    index,
    discoveryIntervalMs: 0,
    samplesPerSecond: 0,
    persistFlushMs: 50,
    maxPending: m,
    sightingQueue: m * 4,
  })
  h.start()
  const t0 = performance.now()
  const from = { host: '10.0.0.1', port: 6881 }
  for (let r = 0; r < 3; r++)
    for (const ih of ihs) for (const l of listeners) l({ infohash: ih, via: 'get_peers', from })
  while ((await index.stats()).torrents < m) await new Promise((r) => setTimeout(r, 5))
  const ms = performance.now() - t0
  await h.stop()
  const s = h.stats()
  record('harvester: observed -> ingested torrent', m, ms, `3 sightings each; fetch ok ${s.fetch.ok}`)
  record('harvester: sightings recorded', s.persist.sightings.written, ms)
  await index.close()
}

async function pipeline(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-bench-'))
  try {
    bloom()
    await triage(dir)
    await harvester(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
  mkdirSync(resultsDir, { recursive: true })
  const meta = {
    scale: SCALE,
    node: process.version,
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    peakRssMb,
  }
  writeFileSync(join(resultsDir, `mesh-${SCALE}.json`), JSON.stringify({ ...meta, rows }, null, 2) + '\n')
  const md = [
    `# @bbmesh/mesh pipeline benchmark (scale ${SCALE})`,
    '',
    `${meta.node}, ${meta.cores} × ${meta.cpu}; peak RSS ${peakRssMb} MB. Rerun: \`pnpm --filter @bbmesh/mesh bench\``,
    '(`MESH_BENCH_SCALE=10` for ten times the items).',
    '',
    '| bench | items | ms | per second | note |',
    '|---|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.bench} | ${r.items} | ${r.ms} | ${r.perSecond} | ${r.note} |`),
    '',
  ].join('\n')
  writeFileSync(join(resultsDir, `mesh-${SCALE}.md`), md)
}

if (ONLY === undefined || ONLY === 'pipeline') await pipeline()
if (ONLY === undefined || ONLY === 'membership') runMembershipBench(resultsDir)
if (ONLY === undefined || ONLY === 'search') await runSearchBench(resultsDir)
if (ONLY === undefined || ONLY === 'sync') await runSyncBench(resultsDir)
