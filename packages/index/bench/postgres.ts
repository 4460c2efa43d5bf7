import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openIndex } from '../src/index.js'
import { generateBatch } from './generate.js'
import type { Vocab } from './generate.js'

// The Postgres column of the bench: the same generated corpus and the same queries, through the same
// @bbmesh/index API, into a throwaway schema on the server at BENCH_PG_URL (or BBMESH_TEST_PG_URL).

export interface PgBench {
  oursTorrentsPerSec: number
  oursSeconds: number
  dbBytes: number
  cacheBytes: number
  search: Record<string, { n: number; p50: number; p99: number; max: number; cpuP50: number; cpuP99: number }>
}

type Measure = (path: string, v: Vocab) => Promise<{ stats: PgBench['search'] }>

export async function benchPostgres(
  url: string,
  v: Vocab,
  seed: number,
  batches: number,
  sizeOf: (b: number) => number,
  measure: Measure,
): Promise<PgBench> {
  const schema = `bbmesh_bench_${randomBytes(4).toString('hex')}`
  const admin = async (text: string) => {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    try {
      await c.query(text)
    } finally {
      await c.end()
    }
  }
  await admin(`create schema ${schema}`)
  try {
    const u = new URL(url)
    u.searchParams.set('options', `-c search_path=${schema}`)
    const path = u.toString()
    const ix = await openIndex({ path })
    let ms = 0
    for (let b = 0; b < batches; b++) {
      const batch = generateBatch(seed, v, b, sizeOf(b))
      const t0 = performance.now()
      await ix.ingest(batch)
      ms += performance.now() - t0
    }
    // Planner statistics, as autovacuum would gather them on a server that has been running a while.
    await admin(`analyze ${schema}.torrents; analyze ${schema}.torrent_fts`)
    const s = await ix.stats()
    await ix.close()
    const { stats } = await measure(path, v)
    const n = batches === 0 ? 0 : Array.from({ length: batches }, (_, b) => sizeOf(b)).reduce((a, b) => a + b)
    return {
      oursTorrentsPerSec: n / (ms / 1000),
      oursSeconds: ms / 1000,
      dbBytes: s.dbBytes,
      cacheBytes: s.cacheBytes,
      search: stats,
    }
  } finally {
    await admin(`drop schema if exists ${schema} cascade`)
  }
}

/** The Postgres section of the bench report. */
export function pgMarkdown(r: PgBench, torrents: number): string[] {
  const f = (x: number, d = 1) => x.toFixed(d)
  return [
    '## Postgres (same corpus, same queries, same API)',
    '',
    '| metric | value |',
    '|---|---|',
    `| ingest | ${f(r.oursTorrentsPerSec, 0)} torrents/s (${f(r.oursSeconds)} s) |`,
    ...Object.entries(r.search).map(
      ([k, s]) =>
        `| search latency, ${k} queries (n=${s.n}) | wall p50 ${f(s.p50, 2)} ms, p99 ${f(s.p99, 2)} ms, max ${f(s.max, 2)} ms; client CPU p50 ${f(s.cpuP50, 2)} ms |`,
    ),
    `| tables with indexes and TOAST (excl. metadata cache) | ${f((r.dbBytes - r.cacheBytes) / 1024 / 1024)} MiB (${f((r.dbBytes - r.cacheBytes) / torrents, 0)} B/torrent) |`,
    '',
  ]
}
