// `pnpm bench` in packages/server (20k torrents) or BENCH_TORRENTS=100000: requests/s and latency
// of Torznab t=search and /api/search on loopback (autocannon), against the same queries run as
// direct index searches in the same process, so the ratio is the server's overhead. Nothing here
// is asserted; results go to bench/results/server-<N>.{json,md}.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openIndex } from '@bbmesh/index'
import autocannon from 'autocannon'
import { createServer } from '../src/index.js'
import { generate } from './generate.js'

const N = Number(process.env.BENCH_TORRENTS ?? 20_000)
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = 10
const LIMIT = 50
const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, '..', '..', 'bench', 'results')

interface Row {
  what: string
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  errors: number
}

async function load(url: string, paths: string[]): Promise<Omit<Row, 'what'>> {
  let i = 0
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] as string }) }],
  })
  return {
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.non2xx,
  }
}

/** The same queries straight through index.search(), one after another, for DURATION_S. */
async function direct(
  search: (q: string) => Promise<unknown>,
  queries: string[],
): Promise<Omit<Row, 'what'>> {
  const times: number[] = []
  const end = Date.now() + DURATION_S * 1000
  for (let i = 0; Date.now() < end; i++) {
    const t0 = performance.now()
    await search(queries[i % queries.length] as string)
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  const q = (p: number): number =>
    Math.round((times[Math.floor(p * (times.length - 1))] as number) * 100) / 100
  return {
    requestsPerSecond: Math.round(times.length / DURATION_S),
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    errors: 0,
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bbmesh-server-bench-'))
  const index = await openIndex({ path: join(dir, 'index.db') })
  const { torrents, queries } = generate(N, 14)
  const t0 = Date.now()
  for (let i = 0; i < torrents.length; i += 1000) await index.ingest(torrents.slice(i, i + 1000))
  console.log(
    `ingested ${N} torrents in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${queries.length} queries`,
  )
  const key = 'bench-key-'.padEnd(32, 'x')
  const server = await createServer({ source: index, port: 0, apiKey: key, rateLimit: false })
  const url = await server.listen()
  const enc = encodeURIComponent
  const rows: Row[] = []
  try {
    // Warm the classification cache and SQLite's page cache the way a running server would be.
    for (const q of queries)
      await fetch(`${url}/torznab/api?t=search&q=${enc(q)}&limit=${LIMIT}&apikey=${key}`)
    rows.push({
      what: 'index.search() direct',
      ...(await direct((q) => index.search({ text: q, limit: LIMIT }), queries)),
    })
    rows.push({
      what: 'GET /api/search',
      ...(await load(
        url,
        queries.map((q) => `/api/search?q=${enc(q)}&limit=${LIMIT}`),
      )),
    })
    rows.push({
      what: 'GET /torznab/api?t=search',
      ...(await load(
        url,
        queries.map((q) => `/torznab/api?t=search&q=${enc(q)}&limit=${LIMIT}&apikey=${key}`),
      )),
    })
  } finally {
    await server.close()
    await index.close()
    rmSync(dir, { recursive: true, force: true })
  }
  const base = rows[0]!.requestsPerSecond
  const md = [
    `# server bench, ${N} torrents, ${LIMIT} results a page, ${DURATION_S} s each, ${CONNECTIONS} connections`,
    '',
    `Load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (2 cores shared). The load`,
    'generator runs in the same process as the server, so both compete for one event loop.',
    '',
    '| what | req/s | p50 ms | p99 ms | errors | req/s vs direct |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.what} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${(r.requestsPerSecond / base).toFixed(2)}x |`,
    ),
    '',
  ].join('\n')
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, `server-${N}.md`), md)
  writeFileSync(
    join(resultsDir, `server-${N}.json`),
    JSON.stringify({ n: N, durationS: DURATION_S, rows }, null, 2) + '\n',
  )
  console.log(md)
}

await main()
