import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import BetterSqlite3 from 'better-sqlite3'
import { openIndex } from '../src/index.js'
import type { PooledIndex } from '../src/index.js'
import { libraryBatch, sharedPool, SHARED_FRACTION } from './file-library.js'
import type { PoolFile } from './file-library.js'
import { makeVocab, rng } from './generate.js'

// `pnpm bench:files` (20k v2/hybrid torrents) or `BENCH_FILE_TORRENTS=100000 pnpm bench:files`; with
// BENCH_PG_URL set, the same library also runs on Postgres. Writes bench/results/file-roots-<N>.{json,md}.
// What it measures: how many file rows the v2 file index saves by naming a file by its pieces root
// (one file however many torrents hold it), and the latency of torrentsWithFile / dupes / searchFiles.

const N = Number(process.env.BENCH_FILE_TORRENTS ?? 20_000)
const PG_URL = process.env.BENCH_PG_URL
const SEED = Number(process.env.BENCH_SEED ?? 42)
const BATCH = 1000
const QUERIES = 300
const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, '..', '..', '..', 'bench', 'results')
/** Files per torrent in generate.ts's corpus (measured there: ~21), to size the shared pool. */
const AVG_FILES = 21

interface Latency {
  n: number
  p50: number
  p99: number
  max: number
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<Latency> {
  const xs: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await fn(i)
    xs.push(performance.now() - t0)
  }
  return { n, p50: pct(xs, 50), p99: pct(xs, 99), max: Math.max(...xs) }
}

async function runOn(path: string, pool: readonly PoolFile[]) {
  const v = makeVocab(SEED)
  const ix = await openIndex({ path })
  try {
    const t0 = performance.now()
    const sample: Uint8Array[] = []
    const words = new Set<string>()
    for (let b = 0; b * BATCH < N; b++) {
      const batch = libraryBatch(SEED, v, pool, b, Math.min(BATCH, N - b * BATCH))
      await ix.ingest(batch)
      for (const t of batch.slice(0, 10)) sample.push(t.infohashV2!)
      for (const t of batch.slice(0, 10))
        for (const f of t.files.slice(0, 2)) {
          const w = (f.path as string).split(/[^A-Za-z]+/).filter((x) => x.length >= 4)
          if (w.length >= 2) words.add(`${w[0]} ${w[1]}`)
        }
    }
    const ingestSeconds = (performance.now() - t0) / 1000
    const stats = await ix.stats()
    const r = rng(SEED + 3)
    // Half the lookups hit shared files (from the skewed pool), half a torrent's own file.
    const own = await ownRoots(ix, sample)
    const roots = Array.from({ length: QUERIES }, (_, i) =>
      i % 2 === 0 ? pool[Math.floor(r() ** 1.6 * pool.length)]!.root : own[i % own.length]!,
    )
    const lookup = await timed(QUERIES, (i) => ix.torrentsWithFile(roots[i]!))
    const dupes = await timed(Math.min(QUERIES, sample.length), (i) => ix.dupes(sample[i]!))
    const texts = [...words]
    let answered = 0
    let filesFound = 0
    const search = await timed(Math.min(QUERIES, texts.length), async (i) => {
      const page = await ix.searchFiles({ text: texts[i]! })
      if (page.files.length > 0) answered++
      filesFound += page.files.length
    })
    const hot = await ix.torrentsWithFile(pool[0]!.root)
    return {
      ingestSeconds,
      stats,
      lookup,
      dupes,
      search,
      searchAnswered: answered,
      searchFilesPerQuery: filesFound / Math.max(1, search.n),
      hottestFileTorrents: hot?.torrentCount ?? 0,
    }
  } finally {
    await ix.close()
  }
}

async function ownRoots(ix: PooledIndex, ihs: readonly Uint8Array[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for (const ih of ihs) {
    const d = await ix.dupes(ih)
    for (const f of d?.files ?? []) if (f.otherCount === 0) out.push(Buffer.from(f.piecesRoot, 'hex'))
  }
  return out.length > 0 ? out : [new Uint8Array(32)]
}

function fileRootsBytes(path: string): number {
  const raw = new BetterSqlite3(path, { readonly: true })
  const n = raw
    .prepare("select coalesce(sum(pgsize), 0) from dbstat where name in ('file_roots', 'file_roots_torrent')")
    .pluck()
    .get() as number
  raw.close()
  return n
}

type Run = Awaited<ReturnType<typeof runOn>>

function markdown(engine: string, x: Run, extra: string[]): string[] {
  const s = x.stats
  const saved = s.filesWithRoot - s.distinctRoots
  const ms = (l: Latency) =>
    `p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(1)} ms (n=${l.n})`
  return [
    `## ${engine}`,
    '',
    '| metric | value |',
    '|---|---|',
    `| torrent files with a pieces root | ${s.filesWithRoot.toLocaleString('en')} |`,
    `| distinct files (roots) | ${s.distinctRoots.toLocaleString('en')} |`,
    `| file rows saved by naming files by root | ${saved.toLocaleString('en')} (${((100 * saved) / s.filesWithRoot).toFixed(1)}% of the torrent files) |`,
    `| roots held by 2+ torrents | ${s.sharedRoots.toLocaleString('en')}; the most shared file is in ${x.hottestFileTorrents} torrents |`,
    `| bytes held more than once (dedupBytes) | ${(s.dedupBytes / 2 ** 30).toFixed(1)} GiB of ${(s.totalSize / 2 ** 30).toFixed(1)} GiB |`,
    `| ingest (file_roots rows written in the same transactions) | ${(N / x.ingestSeconds).toFixed(0)} torrents/s |`,
    ...extra,
    `| torrentsWithFile (half shared, half single-torrent roots) | ${ms(x.lookup)} |`,
    `| dupes (every rooted file of a torrent) | ${ms(x.dupes)} |`,
    `| searchFiles (two path words) | ${ms(x.search)}; ${x.searchAnswered} answered, ${x.searchFilesPerQuery.toFixed(1)} files each on average |`,
    '',
  ]
}

async function main(): Promise<void> {
  const v = makeVocab(SEED)
  const pool = sharedPool(SEED, v, N * AVG_FILES)
  const dir = mkdtempSync(join(tmpdir(), 'bbmesh-bench-roots-'))
  try {
    const load0 = loadavg()[0]!
    const path = join(dir, 'lib.db')
    const sqlite = await runOn(path, pool)
    const bytes = fileRootsBytes(path)
    const pg = PG_URL === undefined ? undefined : await runOn(PG_URL, pool)
    const result = {
      torrents: N,
      seed: SEED,
      sharedFraction: SHARED_FRACTION,
      pool: pool.length,
      sqlite,
      fileRootsBytes: bytes,
      postgres: pg,
    }
    const md = [
      `# v2 file index bench: ${N.toLocaleString('en')} v2/hybrid torrents, ${SHARED_FRACTION * 100}% of files shared`,
      '',
      `Generated ${new Date().toISOString()} on Node ${process.version}, ${cpus().length} CPUs, load average ${load0.toFixed(1)} at start and ${loadavg()[0]!.toFixed(1)} at end (a shared machine: wall times include waiting for a CPU). ${pool.length.toLocaleString('en')} shared files, skewed. One run.`,
      '',
      ...markdown('SQLite', sqlite, [
        `| file_roots table + index on disk | ${(bytes / 2 ** 20).toFixed(1)} MiB (${(bytes / sqlite.stats.filesWithRoot).toFixed(0)} B/row) |`,
      ]),
      ...(pg === undefined ? [] : markdown('Postgres', pg, [])),
    ].join('\n')
    mkdirSync(resultsDir, { recursive: true })
    writeFileSync(join(resultsDir, `file-roots-${N}.json`), JSON.stringify(result, null, 2) + '\n')
    writeFileSync(join(resultsDir, `file-roots-${N}.md`), md)
    process.stdout.write(md)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
