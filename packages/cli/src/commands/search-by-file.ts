import type { FileSearchHit } from '@bbmesh/index'
import type { CommandContext } from '../context.js'
import { formatSize } from '../units.js'
import { holderLine } from './show-dupes.js'

// `bbmesh search --by-file WORDS`: files rather than torrents. Each answer is one file, named by its
// BEP 52 pieces root, with every torrent holding it (the v2 file index); only v2 and hybrid torrents'
// files have a root, so a v1-only library answers nothing here.

export async function runFileSearch(
  ctx: CommandContext,
  q: { text: string; limit: number; maxTorrents: number },
): Promise<void> {
  const index = await ctx.openIndex()
  try {
    const page = await index.searchFiles(q)
    if (ctx.out.json) {
      ctx.out.record({
        query: q.text,
        files: page.files.map(fileToJson),
        torrentsScanned: page.torrentsScanned,
      })
      return
    }
    if (page.files.length === 0) {
      ctx.out.info(`no file with a pieces root matches '${q.text}' (only v2 and hybrid torrents have them)`)
      return
    }
    for (const f of page.files) {
      const n = f.torrentCount
      ctx.out.text(
        `${f.path}  (${formatSize(f.size)})  root ${f.piecesRoot.slice(0, 16)}  in ${n} torrent${n === 1 ? '' : 's'}`,
      )
      for (const h of f.torrents) ctx.out.text(`  ${holderLine(h)}`)
      if (n > f.torrents.length) ctx.out.text(`  … and ${n - f.torrents.length} more (--max-torrents)`)
    }
    ctx.out.info(`${page.files.length} file${page.files.length === 1 ? '' : 's'}`)
  } finally {
    await index.close()
  }
}

function fileToJson(f: FileSearchHit): Record<string, unknown> {
  return {
    piecesRoot: f.piecesRoot,
    size: f.size,
    path: f.path,
    torrentCount: f.torrentCount,
    torrents: f.torrents,
  }
}
