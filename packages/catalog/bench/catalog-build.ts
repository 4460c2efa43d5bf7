// One catalog build in its own process (so peak RSS is this build's): node catalog-build.js N whole|sharded
import { buildCatalog } from '../src/index.js'
import { benchEntry } from './catalog-entries.js'

const n = Number(process.argv[2])
const sharded = process.argv[3] === 'sharded'
const entries = Array.from({ length: n }, (_, i) => benchEntry(i))
const rssEntriesMB = Math.round(process.resourceUsage().maxRSS / 1024)
const t0 = performance.now()
const built = await buildCatalog(entries, { sharded })
const ms = Math.round(performance.now() - t0)
process.stdout.write(
  JSON.stringify({
    entries: n,
    layout: sharded ? 'sharded' : 'whole',
    buildMs: ms,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    rssAfterEntriesMB: rssEntriesMB,
    payloadBytes: built.torrent.totalSize,
    infoBytes: built.torrent.info.length,
    torrentBytes: built.torrent.torrent.length,
    files: built.files.size,
  }) + '\n',
)
