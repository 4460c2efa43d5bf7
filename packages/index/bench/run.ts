import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import BetterSqlite3 from 'better-sqlite3'
import { encodeFileList, openIndex, tokenize } from '../src/index.js'
import type { SearchQuery, TorrentInput } from '../src/index.js'
import { ftsDocument } from '../src/search/fts5.js'
import { generateBatch, makeVocab, rng } from './generate.js'
import { benchPostgres, pgMarkdown } from './postgres.js'
import type { PgBench } from './postgres.js'
import type { Vocab } from './generate.js'

// `pnpm bench` (20k torrents, < 1 min) or `BENCH_TORRENTS=100000 pnpm bench` (a few minutes).
// Writes bench/results/index-<N>.{json,md}. Nothing here is asserted; the numbers are reported.

const N = Number(process.env.BENCH_TORRENTS ?? 20_000)
// With a Postgres server, the same corpus and queries also run there (bench/postgres.ts).
const PG_URL = process.env.BENCH_PG_URL ?? process.env.BBMESH_TEST_PG_URL
const BATCH = 1000
const SEED = Number(process.env.BENCH_SEED ?? 42)
const here = dirname(fileURLToPath(import.meta.url))
// dist/bench/bench/run.js -> packages/index/bench/results
const resultsDir = join(here, '..', '..', '..', 'bench', 'results')

const enc = new TextEncoder()
const mb = (b: number) => b / 1024 / 1024
const batches = Math.ceil(N / BATCH)
const sizeOf = (b: number) => Math.min(BATCH, N - b * BATCH)

/**
 * Ingests every batch twice, alternating: through @bbmesh/index into `oursPath`, and through
 * hand-written prepared inserts of the same rows (no lookups, no validation, no kysely) into
 * `basePath`. Alternating batch by batch exposes both to the same machine load.
 */
async function ingestBoth(oursPath: string, basePath: string, v: Vocab) {
  const ix = await openIndex({ path: oursPath })
  const schema = await openIndex({ path: basePath })
  await schema.close()
  const raw = new BetterSqlite3(basePath)
  raw.pragma('journal_mode = WAL')
  raw.pragma('synchronous = NORMAL')
  raw.pragma('cache_size = -65536')
  const insT = raw.prepare(
    `insert into torrents (infohash_v1, infohash_v2, name, name_raw, total_size, piece_length, file_count,
       private, first_seen, last_seen, seen_count, metadata_fetched_at, source)
     values (?, ?, ?, null, ?, ?, ?, 0, ?, ?, 1, null, ?)`,
  )
  const insF = raw.prepare('insert into file_lists (torrent_id, data) values (?, ?)')
  const insX = raw.prepare('insert into torrent_fts (rowid, name, paths, exts) values (?, ?, ?, ?)')
  const baseline = raw.transaction((batch: TorrentInput[]) => {
    for (const t of batch) {
      const name = t.name as string
      const paths = t.files.map((f) => f.path as string)
      const total = t.files.reduce((s, f) => s + f.size, 0)
      const seen = Math.floor(t.seenAt!.getTime() / 1000)
      const id = Number(
        insT.run(
          t.infohashV1 ?? null,
          t.infohashV2 ?? null,
          name,
          total,
          t.pieceLength ?? null,
          t.files.length,
          seen,
          seen,
          t.source,
        ).lastInsertRowid,
      )
      const list = t.files.map((f, i) => ({
        path: enc.encode(paths[i]),
        size: f.size,
        piecesRoot: f.piecesRoot ?? null,
      }))
      if (list.length > 0) insF.run(id, encodeFileList(list))
      const d = ftsDocument(name, paths)
      insX.run(id, d.name, d.paths, d.exts)
    }
  })
  let oursMs = 0
  let baseMs = 0
  let files = 0
  for (let b = 0; b < batches; b++) {
    const batch = generateBatch(SEED, v, b, sizeOf(b))
    for (const t of batch) files += t.files.length
    // Alternate which goes first so neither always runs on a warmer cache.
    const runOurs = async () => {
      const t0 = performance.now()
      await ix.ingest(batch)
      oursMs += performance.now() - t0
    }
    const runBase = () => {
      const t0 = performance.now()
      baseline(batch)
      baseMs += performance.now() - t0
    }
    if (b % 2 === 0) {
      await runOurs()
      runBase()
    } else {
      runBase()
      await runOurs()
    }
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024
  await ix.close()
  raw.close()
  return { ours: { ms: oursMs, files, peakRssMb }, base: { ms: baseMs } }
}

function tableBytes(path: string): Record<string, number> {
  const raw = new BetterSqlite3(path, { readonly: true })
  const rows = raw
    .prepare('select name, sum(pgsize) as bytes from dbstat group by name order by bytes desc')
    .all() as {
    name: string
    bytes: number
  }[]
  raw.close()
  return Object.fromEntries(rows.map((r) => [r.name, r.bytes]))
}

/** Queries the way people type them, drawn from the generated names, plus fixed common-term worst cases. */
function queries(v: Vocab): { cls: string; q: SearchQuery }[] {
  const r = rng(SEED + 7)
  const out: { cls: string; q: SearchQuery }[] = []
  // Draw from 20 batches spread over the run (regenerating a batch per query would dominate the bench).
  const sample = Array.from({ length: Math.min(20, batches) }, (_, k) =>
    Math.floor((k * batches) / Math.min(20, batches)),
  )
  const cached = new Map(sample.map((b) => [b, generateBatch(SEED, v, b, sizeOf(b))]))
  for (let i = 0; i < 400; i++) {
    const batch = cached.get(sample[Math.floor(r() * sample.length)]!)!
    const t = batch[Math.floor(r() * batch.length)]!
    const words = (t.name as string).split(/[\s.\-_[\]()]+/).filter((w) => tokenize(w).length > 0)
    const start = Math.floor(r() * Math.max(1, words.length - 2))
    const len = 1 + Math.floor(r() * 3)
    const text = words.slice(start, start + len).join(' ')
    out.push({ cls: 'typed', q: { text } })
    if (i % 4 === 0) out.push({ cls: 'filtered', q: { text, extension: 'mkv', minSize: 100 * 1024 * 1024 } })
  }
  for (const text of ['1080p', 'flac', 'x265 2160p', 'the', 'ubuntu 24.04', 'web-dl', 'mkv', 's01e01']) {
    for (let k = 0; k < 5; k++) out.push({ cls: 'common', q: { text } })
  }
  return out
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}

async function measureSearch(path: string, v: Vocab) {
  const ix = await openIndex({ path, readonly: true })
  const qs = queries(v)
  for (const { q } of qs.slice(0, 30)) await ix.search(q) // warm the page cache
  // Wall time, and CPU time of this process: on a shared machine the second is the steadier figure.
  const by: Record<string, number[]> = { all: [] }
  const cpuBy: Record<string, number[]> = { all: [] }
  let empty = 0
  for (const { cls, q } of qs) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const page = await ix.search(q)
    const ms = performance.now() - t0
    const c1 = process.cpuUsage(c0)
    if (page.total === 0) empty++
    const cpuMs = (c1.user + c1.system) / 1000
    ;(by[cls] ??= []).push(ms)
    by.all!.push(ms)
    ;(cpuBy[cls] ??= []).push(cpuMs)
    cpuBy.all!.push(cpuMs)
  }
  await ix.close()
  const stats = Object.fromEntries(
    Object.entries(by).map(([k, xs]) => [
      k,
      {
        n: xs.length,
        p50: pct(xs, 50),
        p99: pct(xs, 99),
        max: pct(xs, 100),
        cpuP50: pct(cpuBy[k]!, 50),
        cpuP99: pct(cpuBy[k]!, 99),
      },
    ]),
  )
  return { stats, empty }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bbmesh-index-bench-'))
  try {
    const v = makeVocab(SEED)
    const rssBefore = process.resourceUsage().maxRSS / 1024
    const loadBefore = loadavg()[0]!
    const { ours, base } = await ingestBoth(join(dir, 'ours.db'), join(dir, 'base.db'), v)
    const search = await measureSearch(join(dir, 'ours.db'), v)
    const bytes = statSync(join(dir, 'ours.db')).size
    const baseBytes = statSync(join(dir, 'base.db')).size
    const tables = tableBytes(join(dir, 'ours.db'))
    const cacheBytes = (tables.metadata_cache ?? 0) + (tables.metadata_cache_last_used ?? 0)
    const result = {
      torrents: N,
      files: ours.files,
      avgFilesPerTorrent: ours.files / N,
      seed: SEED,
      node: process.version,
      ingest: {
        oursTorrentsPerSec: N / (ours.ms / 1000),
        oursFilesPerSec: ours.files / (ours.ms / 1000),
        baselineTorrentsPerSec: N / (base.ms / 1000),
        ratio: base.ms / ours.ms,
        oursSeconds: ours.ms / 1000,
        baselineSeconds: base.ms / 1000,
      },
      search: search.stats,
      searchQueriesWithNoHits: search.empty,
      disk: {
        bytes,
        baselineBytes: baseBytes,
        bytesExcludingMetadataCache: bytes - cacheBytes,
        extrapolatedGBPer1M: (((bytes - cacheBytes) / N) * 1e6) / 1e9,
        byTable: tables,
      },
      peakRssMb: { beforeIngest: rssBefore, duringIngest: ours.peakRssMb },
      loadAverage1m: { start: loadBefore, end: loadavg()[0]!, cpus: cpus().length },
      postgres:
        PG_URL === undefined
          ? undefined
          : await benchPostgres(PG_URL, v, SEED, batches, sizeOf, measureSearch),
    }
    mkdirSync(resultsDir, { recursive: true })
    writeFileSync(join(resultsDir, `index-${N}.json`), JSON.stringify(result, null, 2) + '\n')
    writeFileSync(join(resultsDir, `index-${N}.md`), markdown(result))
    process.stdout.write(markdown(result))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

type Result = {
  torrents: number
  files: number
  avgFilesPerTorrent: number
  ingest: Record<string, number>
  search: Record<string, { n: number; p50: number; p99: number; max: number; cpuP50: number; cpuP99: number }>
  loadAverage1m: { start: number; end: number; cpus: number }
  disk: {
    bytes: number
    bytesExcludingMetadataCache: number
    extrapolatedGBPer1M: number
    byTable: Record<string, number>
  }
  peakRssMb: { duringIngest: number }
  postgres?: PgBench | undefined
}

function markdown(r: Result): string {
  const f = (x: number, d = 1) => x.toFixed(d)
  const lines = [
    `# @bbmesh/index benchmark: ${r.torrents.toLocaleString('en')} torrents, ${r.files.toLocaleString('en')} files (avg ${f(r.avgFilesPerTorrent)})`,
    '',
    `Generated ${new Date().toISOString()} on Node ${process.version}, ${r.loadAverage1m.cpus} CPUs, 1-minute load average ${f(r.loadAverage1m.start)} at start and ${f(r.loadAverage1m.end)} at end (a shared machine: wall times include waiting for a CPU). Measured in one run; 1M figures are extrapolations.`,
    '',
    '| metric | value | goal |',
    '|---|---|---|',
    `| ingest, @bbmesh/index | ${f(r.ingest.oursTorrentsPerSec!, 0)} torrents/s (${f(r.ingest.oursFilesPerSec!, 0)} files/s) | |`,
    `| ingest, raw better-sqlite3 prepared inserts (same rows, same schema incl. FTS) | ${f(r.ingest.baselineTorrentsPerSec!, 0)} torrents/s | |`,
    `| ingest ratio (ours / raw) | ${f(r.ingest.ratio!, 2)}x | >= 0.5x |`,
    ...Object.entries(r.search).map(
      ([k, s]) =>
        `| search latency, ${k} queries (n=${s.n}) | wall p50 ${f(s.p50, 2)} ms, p99 ${f(s.p99, 2)} ms, max ${f(s.max, 2)} ms; CPU p50 ${f(s.cpuP50, 2)} ms, p99 ${f(s.cpuP99, 2)} ms | p99 <= 20 ms at 1M |`,
    ),
    `| bytes on disk (excl. metadata cache) | ${f(mb(r.disk.bytesExcludingMetadataCache))} MiB (${f(r.disk.bytesExcludingMetadataCache / r.torrents, 0)} B/torrent) | |`,
    `| extrapolated to 1M torrents (linear) | ${f(r.disk.extrapolatedGBPer1M, 2)} GB | <= 1.5 GB |`,
    `| peak RSS during ingest (whole bench process: generator and the baseline's connection included) | ${f(r.peakRssMb.duringIngest, 0)} MiB | |`,
    '',
    '| table / index | MiB |',
    '|---|---|',
    ...Object.entries(r.disk.byTable).map(([k, b]) => `| ${k} | ${f(mb(b), 2)} |`),
    '',
    ...(r.postgres === undefined ? [] : pgMarkdown(r.postgres, r.torrents)),
  ]
  return lines.join('\n')
}

await main()
