// `bbmesh catalog build`: the index's public library as a catalog torrent plus its payload files,
// written so that any BitTorrent client can seed the directory (docs/PROTOCOL.md "Catalog format").
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { buildCatalog, libraryEntries, CATALOG_TORRENT_NAME } from '@bbmesh/catalog'
import { commandAction } from '../command-action.js'
import { ProgressBar, withProgress } from '../progress-bar.js'
import { rethrowCatalogError } from '../catalog-error.js'
import { CliError } from '../errors.js'
import { formatSize } from '../units.js'

interface BuildOptions {
  out: string
  sharded?: boolean
  includePrivate?: boolean
  ownOnly?: boolean
}

/** Written beside and renamed, so a reader never sees half a file. */
async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, data)
  await rename(tmp, path)
}

export function registerCatalogCommand(program: Command): void {
  const catalog = program.command('catalog').description('the public library as a catalog torrent')
  catalog
    .command('build')
    .description('write the index’s library as a deterministic catalog torrent and its files')
    .requiredOption(
      '--out <dir>',
      `directory for ${CATALOG_TORRENT_NAME}.torrent and ${CATALOG_TORRENT_NAME}/`,
    )
    .option('--sharded', 'pages by infohash prefix plus an index (for large libraries)')
    .option('--include-private', 'also list BEP 27 private torrents')
    .option('--own-only', 'leave out torrents imported from other publishers’ catalogs')
    .action(
      commandAction(async (ctx, opts: BuildOptions) => {
        if (!ctx.hasIndex())
          throw new CliError(`no index at ${ctx.dbPath}: import or harvest torrents first`, 'NO_INDEX')
        const index = await ctx.openIndex({ readonly: true })
        let built
        try {
          // Streamed from the index: only the encoded lines are held, not an object per torrent.
          const bar = new ProgressBar(ctx.out, 'building catalog', (await index.stats()).torrents)
          const entries = libraryEntries(index, {
            includePrivate: opts.includePrivate === true,
            ownOnly: opts.ownOnly === true,
          })
          try {
            built = await buildCatalog(withProgress(entries, bar), { sharded: opts.sharded === true })
          } finally {
            bar.stop()
          }
        } catch (err) {
          rethrowCatalogError(err)
        } finally {
          await index.close()
        }
        const out = resolve(opts.out)
        const torrentPath = join(out, `${CATALOG_TORRENT_NAME}.torrent`)
        for (const [path, data] of built.files)
          await writeAtomic(join(out, CATALOG_TORRENT_NAME, ...path.split('/')), data)
        await writeAtomic(torrentPath, built.torrent.torrent)
        const hex = (b: Uint8Array | null): string | null => (b ? Buffer.from(b).toString('hex') : null)
        const record = {
          torrent: torrentPath,
          infohashV1: hex(built.torrent.infohashV1),
          infohashV2: hex(built.torrent.infohashV2),
          layout: built.header.layout,
          entries: built.entries,
          files: built.files.size,
          bytes: built.torrent.totalSize,
        }
        if (ctx.out.json) return void ctx.out.record(record)
        ctx.out.text(`torrent     ${record.torrent}`)
        ctx.out.text(`infohash v1 ${record.infohashV1}`)
        ctx.out.text(`infohash v2 ${record.infohashV2}`)
        ctx.out.text(
          `${record.entries} torrents, ${record.layout}, ${record.files} files, ${formatSize(record.bytes)}`,
        )
      }),
    )
}
