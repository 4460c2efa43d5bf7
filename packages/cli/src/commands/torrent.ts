import { rename, unlink, writeFile } from 'node:fs/promises'
import { dirname, join, basename } from 'node:path'
import { Option, type Command } from 'commander'
import { buildTorrent, checkPieceLength, type TorrentVersion } from '@bbmesh/catalog'
import { commandAction } from '../command-action.js'
import { rethrowCatalogError } from '../catalog-error.js'
import { CliError, UsageError } from '../errors.js'
import { formatSize, parseSize } from '../units.js'
import { registerTorrentSeedCommand } from './torrent-seed.js'

interface CreateOptions {
  out: string
  v1?: boolean
  v2?: boolean
  hybrid?: boolean
  pieceLength?: string
}

const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'))

export function registerTorrentCommand(program: Command): void {
  const torrent = program
    .command('torrent')
    .description('create .torrent files (v1, v2 or hybrid) and seed them')
  registerTorrentSeedCommand(torrent)
  torrent
    .command('create')
    .description('build a deterministic .torrent from a file or directory (BEP 52 + BEP 47)')
    .argument('<path>', 'file or directory to describe')
    .requiredOption('--out <file>', 'where to write the .torrent')
    .addOption(new Option('--v1', 'v1 only (SHA-1 pieces, BEP 3)').conflicts(['v2', 'hybrid']))
    .addOption(new Option('--v2', 'v2 only (SHA-256 merkle trees, BEP 52)').conflicts(['v1', 'hybrid']))
    .addOption(new Option('--hybrid', 'v1 + v2 with BEP 47 pad files (the default)').conflicts(['v1', 'v2']))
    .option('--piece-length <n>', 'power of two ≥ 16KiB, e.g. 262144 or 256KiB (default: from the size)')
    .action(
      commandAction(async (ctx, path: string, opts: CreateOptions) => {
        const version: TorrentVersion = opts.v1 ? 'v1' : opts.v2 ? 'v2' : 'hybrid'
        let pieceLength: number | undefined
        if (opts.pieceLength !== undefined) {
          pieceLength = parseSize(opts.pieceLength, '--piece-length')
          try {
            checkPieceLength(pieceLength)
          } catch (err) {
            throw new UsageError(`--piece-length: ${(err as Error).message}`)
          }
        }
        ctx.out.progress(`hashing ${path}…`)
        const built = await buildTorrent(path, {
          version,
          ...(pieceLength !== undefined && { pieceLength }),
          onProgress: (done, total) =>
            ctx.out.progress(`hashing ${path}: ${formatSize(done)} of ${formatSize(total)}`),
        }).catch(rethrowCatalogError)
        ctx.out.clearProgress()
        await writeAtomically(opts.out, built.torrent)
        if (ctx.out.json) {
          ctx.out.record({
            infohashV1: hex(built.infohashV1),
            infohashV2: hex(built.infohashV2),
            pieceLength: built.pieceLength,
            files: built.fileCount,
          })
          return
        }
        ctx.out.text(`wrote        ${opts.out}`)
        ctx.out.text(`version      ${version}`)
        if (built.infohashV1) ctx.out.text(`infohash v1  ${hex(built.infohashV1)}`)
        if (built.infohashV2) ctx.out.text(`infohash v2  ${hex(built.infohashV2)}`)
        ctx.out.text(`files        ${built.fileCount} (${formatSize(built.totalSize)})`)
        ctx.out.text(`piece length ${formatSize(built.pieceLength)}`)
      }),
    )
}

/** Never leaves a half-written .torrent under the requested name. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  try {
    await writeFile(tmp, bytes)
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    const why = err instanceof Error && 'code' in err ? String(err.code) : (err as Error).message
    throw new CliError(`cannot write ${path} (${why})`, 'OUT_UNWRITABLE')
  }
}
