import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type { Command } from 'commander'
import { toNdjsonLineWithInfo, type PooledIndex, type TorrentDetail } from '@bbmesh/index'
import { commandAction } from '../command-action.js'
import { ProgressBar } from '../progress-bar.js'
import { CliError } from '../errors.js'

interface ExportOptions {
  ndjson?: boolean
  out?: string
  gzip?: boolean
  withInfo?: boolean
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('stream the whole index as NDJSON: one torrent per line with its file list')
    .option('--ndjson', 'NDJSON output (the only format so far; the default)')
    .option('-o, --out <file>', 'write to this file instead of stdout (.gz implies --gzip)')
    .option('--gzip', 'gzip the output')
    .option('--with-info', "add each torrent's cached info dict (base64 'info'), so an import can serve it")
    .addHelpText(
      'after',
      `
Names and paths that are not valid UTF-8 are exported losslessly (as hex beside the lossy text),
so 'bbmesh import' of the output rebuilds the same index. --with-info carries the metadata cache
too (larger: the info dict holds the piece hashes), so the importing index can serve it over BEP 9.

Example:
  bbmesh export --ndjson --out library.ndjson.gz`,
    )
    .action(
      commandAction(async (ctx, opts: ExportOptions) => {
        const gzip = opts.gzip === true || (opts.out !== undefined && /\.gz$/i.test(opts.out))
        const index = await ctx.openIndex()
        const sink: Writable = opts.out !== undefined ? createWriteStream(opts.out) : process.stdout
        const sinkError = new Promise<never>((_, reject) =>
          sink.once('error', (err: NodeJS.ErrnoException) =>
            reject(
              new CliError(
                `cannot write ${opts.out ?? 'stdout'}: ${err.code ?? err.message}`,
                'EXPORT_WRITE',
              ),
            ),
          ),
        )
        sinkError.catch(() => undefined)
        const stream: Writable = gzip ? createGzip() : sink
        if (gzip) stream.pipe(sink)
        const started = Date.now()
        let count = 0
        // The total only sizes the bar; an export without it still runs.
        const total = await index.stats().then(
          (s) => s.torrents,
          () => undefined,
        )
        const bar = new ProgressBar(ctx.out, 'exporting', total)
        try {
          for await (const t of index.exportAll()) {
            const info = opts.withInfo === true ? await cachedInfo(index, t) : undefined
            if (!stream.write(toNdjsonLineWithInfo(t, info) + '\n'))
              await Promise.race([once(stream, 'drain'), sinkError])
            count += 1
            bar.tick()
          }
          if (gzip || opts.out !== undefined) {
            stream.end()
            await Promise.race([finished(sink), sinkError])
          }
        } finally {
          bar.stop()
          await index.close()
        }
        ctx.out.info(`exported ${count} torrents in ${((Date.now() - started) / 1000).toFixed(1)}s`)
      }),
    )
}

/** The cache keys v1 and hybrid dicts by their v1 infohash, v2-only ones by the v2 infohash. */
function cachedInfo(index: PooledIndex, t: TorrentDetail): Promise<Uint8Array | undefined> {
  const key = Buffer.from((t.infohashV1 ?? t.infohashV2)!, 'hex')
  // An export is not a use: reading must not reorder the cache's LRU eviction.
  return index.metadataCache.get(key, { touch: false })
}
