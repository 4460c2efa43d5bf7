import type { Command } from 'commander'
import type { TorrentDetail } from '@bbmesh/index'
import { assessQuality, type QualityFlag } from '@bbmesh/mesh'
import { commandAction } from '../command-action.js'
import { CliError } from '../errors.js'
import { formatSize, parseCount, parseInfohash } from '../units.js'
import { aliveJson, aliveLine } from './search-alive.js'
import { showDupes } from './show-dupes.js'

export function registerShowCommand(program: Command): void {
  program
    .command('show')
    .description('show one torrent of the index with its files')
    .argument('<infohash>', 'v1 (40 hex) or v2 (64 hex) infohash, or a magnet link')
    .option('--max-files <n>', 'list at most this many files on a terminal', '50')
    .option('--dupes', 'per file, the other torrents holding the same file (by BEP 52 pieces root)')
    .option('--max-torrents <n>', 'with --dupes: other torrents listed per file (1-500)', '50')
    .action(
      commandAction(
        async (ctx, raw: string, opts: { maxFiles: string; dupes?: boolean; maxTorrents: string }) => {
          const infohash = parseInfohash(raw)
          const maxTorrents = parseCount(opts.maxTorrents, '--max-torrents', 1, 500)
          const index = await ctx.openIndex()
          try {
            if (opts.dupes === true) return await showDupes(ctx.out, index, infohash, maxTorrents)
            const t = await index.get(infohash)
            if (t === undefined) throw new CliError(`not in the index: ${infohash}`, 'NOT_FOUND')
            if (ctx.out.json) {
              ctx.out.record(detailToJson(t))
              return
            }
            printDetail(ctx.out.text.bind(ctx.out), t, Number(opts.maxFiles) || 50)
          } finally {
            await index.close()
          }
        },
      ),
    )
}

export function detailToJson(t: TorrentDetail): Record<string, unknown> {
  return {
    infohashV1: t.infohashV1,
    infohashV2: t.infohashV2,
    name: t.name,
    size: t.totalSize,
    pieceLength: t.pieceLength,
    private: t.private,
    firstSeen: t.firstSeen.toISOString(),
    lastSeen: t.lastSeen.toISOString(),
    metadataFetchedAt: t.metadataFetchedAt?.toISOString() ?? null,
    ...aliveJson(t),
    source: t.source,
    magnet: magnetOf(t),
    quality: qualityOf(t),
    files: t.files.map((f) => ({
      path: f.path,
      size: f.size,
      ...(f.piecesRoot && { piecesRoot: Buffer.from(f.piecesRoot).toString('hex') }),
    })),
  }
}

/** The quality flags of the whole torrent (fake patterns: see @bbmesh/mesh assessQuality). */
function qualityOf(t: TorrentDetail): QualityFlag[] {
  return assessQuality({ name: t.name, totalSize: t.totalSize, files: t.files, complete: true })
}

export function magnetOf(t: Pick<TorrentDetail, 'infohashV1' | 'infohashV2' | 'name'>): string {
  const parts: string[] = []
  if (t.infohashV1 !== null) parts.push(`xt=urn:btih:${t.infohashV1}`)
  if (t.infohashV2 !== null) parts.push(`xt=urn:btmh:1220${t.infohashV2}`)
  parts.push(`dn=${encodeURIComponent(t.name)}`)
  return `magnet:?${parts.join('&')}`
}

function printDetail(print: (line: string) => void, t: TorrentDetail, maxFiles: number): void {
  print(t.name)
  if (t.infohashV1 !== null) print(`  infohash v1   ${t.infohashV1}`)
  if (t.infohashV2 !== null) print(`  infohash v2   ${t.infohashV2}`)
  print(`  size          ${formatSize(t.totalSize)} in ${t.fileCount} file${t.fileCount === 1 ? '' : 's'}`)
  if (t.pieceLength !== null) print(`  piece length  ${formatSize(t.pieceLength)}`)
  if (t.private) print('  private       yes')
  print(`  first seen    ${t.firstSeen.toISOString()}`)
  print(`  last seen     ${t.lastSeen.toISOString()}`)
  print(`  last alive    ${aliveLine(t)}`)
  print(`  source        ${t.source}`)
  print(`  magnet        ${magnetOf(t)}`)
  const flags = qualityOf(t)
  if (flags.length > 0) print(`  quality       suspicious: ${flags.join(', ')}`)
  print('')
  for (const f of t.files.slice(0, maxFiles)) print(`  ${f.path}  (${formatSize(f.size)})`)
  if (t.files.length > maxFiles)
    print(`  … and ${t.files.length - maxFiles} more (--max-files, or --json for all)`)
}
