// `pnpm bench` part 2: catalog build time and peak RSS (each build in a child process), and the bytes
// a resolver fetches for a 1% update, sharded vs whole. 100k torrents by default; BENCH_CATALOG_1M=1
// adds 1M (about 2 GB of RSS, minutes). Writes bench/results/catalog.{json,md}. Nothing is asserted.
import { execFileSync } from 'node:child_process'
import { writeFileSync, mkdirSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, '..', '..', 'bench', 'results')
const N = Number(process.env.BENCH_CATALOG_N ?? 100_000)
const sizes = process.env.BENCH_CATALOG_1M === '1' ? [N, 1_000_000] : [N]

interface BuildRow {
  entries: number
  layout: string
  buildMs: number
  peakRssMB: number
  rssBeforeMB: number
  payloadBytes: number
  infoBytes: number
  torrentBytes: number
  files: number
}
interface UpdateRow {
  layout: string
  entries: number
  added: number
  firstResolveBytes: number
  bytes: number
  files: number
  filesTotal: number
}

function child(n: number, layout: string): { build: BuildRow; update: UpdateRow } {
  const out = execFileSync(
    process.execPath,
    ['--max-old-space-size=12288', join(here, 'catalog-build.js'), String(n), layout],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  )
  return JSON.parse(out) as { build: BuildRow; update: UpdateRow }
}

async function main(): Promise<void> {
  const builds: BuildRow[] = []
  const updates: UpdateRow[] = []
  for (const n of sizes)
    for (const layout of ['whole', 'sharded']) {
      const r = child(n, layout)
      builds.push(r.build)
      updates.push(r.update)
      process.stderr.write(`${n} ${layout}: ${r.build.buildMs} ms, ${r.build.peakRssMB} MB\n`)
    }
  const env = { cpus: cpus().length, load1: Number(loadavg()[0]?.toFixed(1)), node: process.version }
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, 'catalog.json'), JSON.stringify({ env, builds, updates }, null, 2) + '\n')
  const mb = (b: number): string => (b / 1024 / 1024).toFixed(1)
  const md = [
    `# Catalog benchmark (${env.cpus} CPUs, load ${env.load1}, Node ${env.node})`,
    '',
    'Entries are streamed into the build (a generator, as `libraryEntries(index)` does), one child process per row.',
    '',
    '| torrents | layout | build ms | peak RSS MB (before build) | payload MB | info dict MB | files |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...builds.map(
      (r) =>
        `| ${r.entries} | ${r.layout} | ${r.buildMs} | ${r.peakRssMB} (${r.rssBeforeMB}) | ${mb(r.payloadBytes)} | ${mb(r.infoBytes)} | ${r.files} |`,
    ),
    '',
    'A 1% update (1% new torrents added): bytes a resolver fetches (info dict + changed files; pads never fetched).',
    '',
    '| torrents | layout | first resolve MB | update MB | files fetched / total |',
    '| ---: | --- | ---: | ---: | ---: |',
    ...updates.map(
      (u) =>
        `| ${u.entries} | ${u.layout} | ${mb(u.firstResolveBytes)} | ${mb(u.bytes)} | ${u.files} / ${u.filesTotal} |`,
    ),
    '',
  ].join('\n')
  writeFileSync(join(resultsDir, 'catalog.md'), md)
  process.stdout.write(md)
}

await main()
