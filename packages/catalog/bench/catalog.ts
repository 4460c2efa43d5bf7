// `pnpm bench` part 2: catalog build time and peak RSS (each build in a child process), and the bytes
// a resolver fetches for a 1% update, sharded vs whole. 100k torrents by default; BENCH_CATALOG_1M=1
// adds 1M (several GB of RSS, minutes). Writes bench/results/catalog.{json,md}. Nothing is asserted.
import { execFileSync } from 'node:child_process'
import { writeFileSync, mkdirSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildCatalog, type BuiltCatalog } from '../src/index.js'
import { benchEntry } from './catalog-entries.js'

const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, '..', '..', 'bench', 'results')
const N = Number(process.env.BENCH_CATALOG_N ?? 100_000)
const sizes = process.env.BENCH_CATALOG_1M === '1' ? [N, 1_000_000] : [N]

interface BuildRow {
  entries: number
  layout: string
  buildMs: number
  peakRssMB: number
  rssAfterEntriesMB: number
  payloadBytes: number
  infoBytes: number
  torrentBytes: number
  files: number
}

function childBuild(n: number, layout: string): BuildRow {
  const out = execFileSync(
    process.execPath,
    ['--max-old-space-size=8192', join(here, 'catalog-build.js'), String(n), layout],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  )
  return JSON.parse(out) as BuildRow
}

const pathOf = (f: { path: Uint8Array[] }): string => f.path.map((p) => Buffer.from(p).toString()).join('/')

/** What resolveCatalog fetches going from `a` to `b`: the info dict plus files whose root changed. */
function update(a: BuiltCatalog, b: BuiltCatalog): { bytes: number; files: number } {
  const old = new Map(
    a.torrent.files.map((f) => [pathOf(f), f.piecesRoot ? Buffer.from(f.piecesRoot).toString('hex') : '']),
  )
  let bytes = b.torrent.info.length
  let files = 0
  for (const f of b.torrent.files) {
    const p = pathOf(f)
    if (
      p !== 'catalog.json' &&
      old.get(p) === (f.piecesRoot ? Buffer.from(f.piecesRoot).toString('hex') : '')
    )
      continue
    bytes += f.size
    files++
  }
  return { bytes, files }
}

async function main(): Promise<void> {
  const builds: BuildRow[] = []
  for (const n of sizes) for (const layout of ['whole', 'sharded']) builds.push(childBuild(n, layout))

  const base = Array.from({ length: N }, (_, i) => benchEntry(i))
  const added = Array.from({ length: N / 100 }, (_, k) => benchEntry(10_000_000 + k))
  const updates = []
  for (const sharded of [false, true]) {
    const a = await buildCatalog(base, { sharded })
    const b = await buildCatalog([...base, ...added], { sharded })
    const full = b.torrent.info.length + b.torrent.totalSize
    updates.push({
      layout: sharded ? 'sharded' : 'whole',
      entries: N,
      added: added.length,
      firstResolveBytes: full,
      ...update(a, b),
      filesTotal: b.files.size,
    })
  }
  const env = { cpus: cpus().length, load1: Number(loadavg()[0]?.toFixed(1)), node: process.version }
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, 'catalog.json'), JSON.stringify({ env, builds, updates }, null, 2) + '\n')
  const mb = (b: number): string => (b / 1024 / 1024).toFixed(1)
  const md = [
    `# Catalog benchmark (${env.cpus} CPUs, load ${env.load1}, Node ${env.node})`,
    '',
    '| torrents | layout | build ms | peak RSS MB (entries alone) | payload MB | info dict MB | files |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...builds.map(
      (r) =>
        `| ${r.entries} | ${r.layout} | ${r.buildMs} | ${r.peakRssMB} (${r.rssAfterEntriesMB}) | ${mb(r.payloadBytes)} | ${mb(r.infoBytes)} | ${r.files} |`,
    ),
    '',
    `A 1% update (${added.length} torrents added to ${N}): bytes a resolver fetches (info dict + changed files; pads never fetched).`,
    '',
    '| layout | first resolve MB | update MB | files fetched / total |',
    '| --- | ---: | ---: | ---: |',
    ...updates.map(
      (u) => `| ${u.layout} | ${mb(u.firstResolveBytes)} | ${mb(u.bytes)} | ${u.files} / ${u.filesTotal} |`,
    ),
    '',
  ].join('\n')
  writeFileSync(join(resultsDir, 'catalog.md'), md)
  process.stdout.write(md)
}

await main()
