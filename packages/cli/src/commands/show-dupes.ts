import type { FileHolder, PooledIndex, TorrentDupes } from '@bbmesh/index'
import type { Output } from '../output.js'
import { CliError } from '../errors.js'
import { formatSize } from '../units.js'

// `bbmesh show INFOHASH --dupes`: the torrent's files that other torrents hold too, matched by BEP 52
// pieces root (the v2 file index), so only v2 and hybrid torrents have any.

export async function showDupes(
  out: Output,
  index: PooledIndex,
  infohash: string,
  maxTorrents: number,
): Promise<void> {
  const d = await index.dupes(infohash, { maxTorrents })
  if (d === undefined) throw new CliError(`not in the index: ${infohash}`, 'NOT_FOUND')
  if (out.json) {
    out.record(dupesToJson(d))
    return
  }
  out.text(d.name)
  if (d.files.length === 0) {
    out.text('  no file has a BEP 52 pieces root (a v1-only torrent): nothing to match by content')
    return
  }
  const shared = d.files.filter((f) => f.otherCount > 0)
  out.text(`  ${shared.length} of ${d.files.length} files with a pieces root are also in other torrents`)
  for (const f of shared) {
    out.text('')
    out.text(`  ${f.path}  (${formatSize(f.size)})  in ${f.otherCount} other${f.otherCount === 1 ? '' : 's'}`)
    for (const o of f.others) out.text(`    ${holderLine(o)}`)
    if (f.otherCount > f.others.length)
      out.text(`    … and ${f.otherCount - f.others.length} more (--max-torrents)`)
  }
}

export function holderLine(h: FileHolder): string {
  return `${(h.infohashV1 ?? h.infohashV2 ?? '').slice(0, 16)}  ${h.name}  ${h.path}`
}

function dupesToJson(d: TorrentDupes): Record<string, unknown> {
  return { infohashV1: d.infohashV1, infohashV2: d.infohashV2, name: d.name, files: d.files }
}
