// One catalog build in its own process (so peak RSS is this build's): node catalog-build.js N whole|sharded
// Builds N streamed entries (timed; peak RSS noted), keeps only the file roots, then builds the same
// library plus 1% new torrents and reports what a resolver would fetch for that update.
import { buildCatalog, type BuiltCatalog } from '../src/index.js'
import { benchEntry } from './catalog-entries.js'

const n = Number(process.argv[2])
const sharded = process.argv[3] === 'sharded'
const added = Math.ceil(n / 100)

function* entries(count: number, extra: number): Generator<ReturnType<typeof benchEntry>> {
  for (let i = 0; i < count; i++) yield benchEntry(i)
  for (let k = 0; k < extra; k++) yield benchEntry(10_000_000 + k)
}

const pathOf = (f: { path: Uint8Array[] }): string => f.path.map((p) => Buffer.from(p).toString()).join('/')
const hex = (r: Uint8Array | null): string => (r ? Buffer.from(r).toString('hex') : '')
const mb = (): number => Math.round(process.resourceUsage().maxRSS / 1024)

const rssBeforeMB = mb()
const t0 = performance.now()
let a: BuiltCatalog | undefined = await buildCatalog(entries(n, 0), { sharded })
const buildMs = Math.round(performance.now() - t0)
const peakRssMB = mb()
const row = {
  entries: n,
  layout: sharded ? 'sharded' : 'whole',
  buildMs,
  peakRssMB,
  rssBeforeMB,
  payloadBytes: a.torrent.totalSize,
  infoBytes: a.torrent.info.length,
  torrentBytes: a.torrent.torrent.length,
  files: a.files.size,
}
const roots = new Map(a.torrent.files.map((f) => [pathOf(f), hex(f.piecesRoot)]))
a = undefined // the update build must not count the first catalog's payload

/** What resolveCatalog fetches going to `b`: the info dict plus catalog.json and every file whose root changed. */
const b = await buildCatalog(entries(n, added), { sharded })
let bytes = b.torrent.info.length
let files = 0
for (const f of b.torrent.files) {
  const p = pathOf(f)
  if (p !== 'catalog.json' && roots.get(p) === hex(f.piecesRoot)) continue
  bytes += f.size
  files++
}
const update = {
  layout: row.layout,
  entries: n,
  added,
  firstResolveBytes: b.torrent.info.length + b.torrent.totalSize,
  bytes,
  files,
  filesTotal: b.files.size,
}
process.stdout.write(JSON.stringify({ build: row, update }) + '\n')
