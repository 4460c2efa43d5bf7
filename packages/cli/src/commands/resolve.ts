// `bbmesh resolve PUBKEY`: follow a publisher's BEP 46 pointer, fetch and verify its catalog (only
// what changed since the last time) and import it into the index with provenance, removing what the
// publisher dropped. With --seed it then keeps serving the catalog it fetched (announced in the DHT)
// so other resolvers can fetch it from us, re-resolving every --interval seconds, until stopped, and
// re-announces it and re-puts the publisher's signed pointer every --reannounce seconds.
import type { Command } from 'commander'
import { createDhtNode, type DhtNode } from '@bbmesh/dht'
import type { PooledIndex } from '@bbmesh/index'
import { CatalogSeeder, parsePublicKey, resolveCatalog } from '@bbmesh/catalog'
import { commandAction } from '../command-action.js'
import { rethrowCatalogError } from '../catalog-error.js'
import { UsageError } from '../errors.js'
import { parseCount } from '../units.js'
import { parseBootstrap } from './dht-shared.js'
import { resolveProgress } from './resolve-progress.js'
import { reportRePut, reportResolve } from './resolve-report.js'

interface ResolveOptions {
  salt?: string
  bootstrap?: string
  timeout?: string
  host?: string
  full?: boolean
  seed?: boolean
  port?: string
  interval?: string
  reannounce?: string
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
    .option(
      '--reannounce <seconds>',
      'with --seed: re-announce the catalog and re-put the publisher’s signed pointer this often',
      '900',
    )
    .action(
      commandAction(async (ctx, pubkey: string, opts: ResolveOptions) => {
        const publicKey = parsePublicKey(pubkey)
        if (!publicKey)
          throw new UsageError(`<pubkey>: expected 64 hex digits or bbmesh:pub:<hex>, got '${pubkey}'`)
        const timeout = parseCount(opts.timeout ?? '60', '--timeout', 1, 3600)
        const port = opts.port === undefined ? 0 : parseCount(opts.port, '--port', 0, 65535)
        const interval = parseCount(opts.interval ?? '1800', '--interval', 1, 86_400)
        const reannounce = parseCount(opts.reannounce ?? '900', '--reannounce', 1, 86_400)
        if (!opts.seed && (opts.port !== undefined || opts.interval !== '1800' || opts.reannounce !== '900'))
          throw new UsageError('--port, --interval and --reannounce go with --seed')
        const host = opts.host ?? '0.0.0.0'
        const index = await ctx.openIndex()
        const dht = createDhtNode({ bootstrap: parseBootstrap(opts.bootstrap) })
        const dataDir = ctx.ensureDataDir()
        const salt = opts.salt !== undefined ? { salt: opts.salt } : {}
        // The re-put done by seed() goes into the resolve record; the interval ones get their own.
        let seeding = false
        const seeder: CatalogSeeder | undefined = opts.seed
          ? new CatalogSeeder({
              dht,
              dataDir,
              publicKey,
              host,
              port,
              ...salt,
              reannounceIntervalMs: reannounce * 1000,
              onRePut: (r) => {
                if (!seeding) reportRePut(ctx, r, seeder!.rePutStats())
              },
              onError: (err) => ctx.out.warn(`re-announce failed: ${err.message}`),
            })
          : undefined
        const once = async (full: boolean): Promise<void> => {
          const progress = resolveProgress(ctx.out)
          const r = await resolveCatalog({
            dht,
            index,
            dataDir,
            publicKey,
            ...salt,
            full,
            timeoutMs: timeout * 1000,
            onProgress: progress.onProgress,
            onStep: progress.onStep,
          })
            .catch(rethrowCatalogError)
            .finally(() => progress.stop())
          let seeded
          if (seeder) {
            seeding = true
            try {
              seeded = await seeder.seed().catch(rethrowCatalogError)
            } finally {
              seeding = false
            }
          }
          reportResolve(ctx, r, seeded)
        }
        try {
          await dht.listen(0, host)
          await dht.bootstrap()
          await once(opts.full === true)
          if (!seeder) return
          seeder.start()
          ctx.out.info(
            `seeding the catalog; resolving again every ${interval} s, re-announcing and re-putting the pointer every ${reannounce} s; Ctrl-C to stop`,
          )
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
