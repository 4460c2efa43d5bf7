// `bbmesh resolve PUBKEY`: follow a publisher's BEP 46 pointer, fetch and verify its catalog (only
// what changed since the last time) and import it into the index with provenance, removing what the
// publisher dropped. With --seed it then keeps serving the catalog it fetched (announced in the DHT)
// so other resolvers can fetch it from us, re-resolving every --interval seconds, until stopped.
import type { Command } from 'commander'
import { createDhtNode, type DhtNode } from '@bbmesh/dht'
import type { PooledIndex } from '@bbmesh/index'
import { CatalogSeeder, parsePublicKey, resolveCatalog, type ResolveResult } from '@bbmesh/catalog'
import { commandAction } from '../command-action.js'
import type { CommandContext } from '../context.js'
import { rethrowCatalogError } from '../catalog-error.js'
import { UsageError } from '../errors.js'
import { formatSize, parseCount } from '../units.js'
import { parseBootstrap } from './dht-shared.js'

interface ResolveOptions {
  salt?: string
  bootstrap?: string
  timeout?: string
  host?: string
  full?: boolean
  seed?: boolean
  port?: string
  interval?: string
}

export function registerResolveCommand(program: Command): void {
  program
    .command('resolve')
    .description('fetch, verify and import a publisher’s library (BEP 46 pointer → catalog torrent)')
    .argument('<pubkey>', 'publisher key: 64 hex digits or bbmesh:pub:<hex>')
    .option('--salt <name>', 'the salt the publisher used')
    .option('--bootstrap <list>', 'DHT bootstrap host:port,… (default: the public routers)')
    .option('--full', 'fetch and import the whole catalog even if parts were imported before')
    .option('--host <addr>', 'address the DHT node (and the --seed server) listens on', '0.0.0.0')
    .option('--timeout <seconds>', 'deadline for the metadata and for the pieces, each', '60')
    .option('--seed', 'keep running: seed the fetched catalog to other resolvers until stopped')
    .option('--port <p>', 'with --seed: TCP port to seed on (default: any free port)')
    .option('--interval <seconds>', 'with --seed: resolve again this often', '1800')
    .action(
      commandAction(async (ctx, pubkey: string, opts: ResolveOptions) => {
        const publicKey = parsePublicKey(pubkey)
        if (!publicKey)
          throw new UsageError(`<pubkey>: expected 64 hex digits or bbmesh:pub:<hex>, got '${pubkey}'`)
        const timeout = parseCount(opts.timeout ?? '60', '--timeout', 1, 3600)
        const port = opts.port === undefined ? 0 : parseCount(opts.port, '--port', 0, 65535)
        const interval = parseCount(opts.interval ?? '1800', '--interval', 1, 86_400)
        if (!opts.seed && (opts.port !== undefined || opts.interval !== '1800'))
          throw new UsageError('--port and --interval go with --seed')
        const host = opts.host ?? '0.0.0.0'
        const index = await ctx.openIndex()
        const dht = createDhtNode({ bootstrap: parseBootstrap(opts.bootstrap) })
        const dataDir = ctx.ensureDataDir()
        const salt = opts.salt !== undefined ? { salt: opts.salt } : {}
        const seeder = opts.seed
          ? new CatalogSeeder({ dht, dataDir, publicKey, host, port, ...salt })
          : undefined
        const once = async (full: boolean): Promise<void> => {
          const r = await resolveCatalog({
            dht,
            index,
            dataDir,
            publicKey,
            ...salt,
            full,
            timeoutMs: timeout * 1000,
            onProgress: (stage, detail) => ctx.out.progress(`${stage}${detail ? `: ${detail}` : ''}`),
          }).catch(rethrowCatalogError)
          ctx.out.clearProgress()
          const seeding = seeder ? await seeder.seed().catch(rethrowCatalogError) : undefined
          report(ctx, r, seeding?.port)
        }
        try {
          await dht.listen(0, host)
          await dht.bootstrap()
          await once(opts.full === true)
          if (!seeder) return
          seeder.start()
          ctx.out.info(`seeding the catalog; resolving again every ${interval} s; Ctrl-C to stop`)
          await untilStopped(interval, () =>
            once(false).catch((err: Error) => ctx.out.warn(`resolve failed: ${err.message}`)),
          )
        } finally {
          await seeder?.stop()
          await closeAll(dht, index)
        }
      }),
    )
}

function report(ctx: CommandContext, r: ResolveResult, seedPort: number | undefined): void {
  if (ctx.out.json)
    return void ctx.out.record({
      publicKey: r.publicKey,
      seq: r.seq,
      infohash: r.infohash,
      imported: r.imported,
      bytesFetched: r.bytesFetched,
      removed: r.removed,
      retained: r.retained,
      replaced: r.replaced,
      ...(seedPort !== undefined && { seedPort }),
    })
  const kept = r.retained
    ? ` (${r.retained} more dropped by the publisher but known from elsewhere, kept)`
    : ''
  ctx.out.text(
    r.unchanged
      ? `seq ${r.seq} (${r.infohash}) already imported; nothing fetched`
      : `seq ${r.seq}  ${r.infohash}  imported ${r.imported} torrents  removed ${r.removed}${kept}  fetched ${formatSize(r.bytesFetched)} (${r.filesFetched} of ${r.filesTotal} catalog files)`,
  )
  if (seedPort !== undefined) ctx.out.info(`seeding on port ${seedPort}`)
}

/** Runs `tick` every `interval` seconds until SIGINT or SIGTERM. */
function untilStopped(interval: number, tick: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setInterval(() => void tick(), interval * 1000)
    const stop = (): void => {
      clearInterval(timer)
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

async function closeAll(dht: DhtNode, index: PooledIndex): Promise<void> {
  await dht.destroy()
  await index.close()
}
