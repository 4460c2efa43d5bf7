// `bbmesh publish`: build the catalog from the index, seed it, announce it and move the BEP 46
// pointer under the publisher key; then keep seeding, rebuilding and re-putting until stopped.
import type { Command } from 'commander'
import { createDhtNode } from '@bbmesh/dht'
import { CatalogPublisher, libraryEntries, loadPublisherKey, type PublishResult } from '@bbmesh/catalog'
import { commandAction } from '../command-action.js'
import { ProgressBar, withProgress } from '../progress-bar.js'
import { rethrowCatalogError } from '../catalog-error.js'
import { CliError, UsageError } from '../errors.js'
import { parseCount } from '../units.js'
import { parseBootstrap } from './dht-shared.js'

interface PublishOptions {
  salt?: string
  bootstrap?: string
  port?: string
  host?: string
  sharded?: boolean
  once?: boolean
  interval?: string
  ownOnly?: boolean
}

export function registerPublishCommand(program: Command): void {
  program
    .command('publish')
    .description('publish the library: catalog torrent, seeding, and the BEP 46 pointer under your key')
    .option('--salt <name>', 'publish under this salt (several libraries per key)')
    .option('--bootstrap <list>', 'DHT bootstrap host:port,… (default: the public routers)')
    .option('--port <p>', 'TCP port to seed the catalog on (default: any free port)')
    .option('--host <addr>', 'address the DHT node and the seed listen on', '0.0.0.0')
    .option('--sharded', 'sharded catalog (pages by infohash prefix)')
    .option('--own-only', 'leave out torrents imported from other publishers’ catalogs')
    .option('--once', 'publish, put the pointer once and exit (nothing keeps seeding)')
    .option('--interval <seconds>', 'rebuild and re-put this often', '1800')
    .action(
      commandAction(async (ctx, opts: PublishOptions) => {
        const port = opts.port === undefined ? 0 : parseCount(opts.port, '--port', 0, 65535)
        const interval = parseCount(opts.interval ?? '1800', '--interval', 1, 86_400)
        if (opts.salt !== undefined && Buffer.byteLength(opts.salt) > 64)
          throw new UsageError('--salt: at most 64 bytes (BEP 44)')
        const key = await loadPublisherKey(ctx.dataDir).catch(rethrowCatalogError)
        if (!ctx.hasIndex())
          throw new CliError(`no index at ${ctx.dbPath}: import or harvest torrents first`, 'NO_INDEX')
        const index = await ctx.openIndex({ readonly: true })
        const dht = createDhtNode({ bootstrap: parseBootstrap(opts.bootstrap) })
        const publisher = new CatalogPublisher({
          dht,
          key,
          dataDir: ctx.ensureDataDir(),
          port,
          host: opts.host ?? '0.0.0.0',
          ...(opts.salt !== undefined && { salt: opts.salt }),
          build: { sharded: opts.sharded === true },
        })
        const report = (r: PublishResult): void => {
          if (ctx.out.json) return void ctx.out.record(r)
          ctx.out.text(
            `published seq ${r.seq}  ${r.infohash}  ${r.entries} torrents  stored on ${r.stored} nodes  seeding on port ${r.port}`,
          )
        }
        const once = async (): Promise<void> => {
          const bar = new ProgressBar(ctx.out, 'building catalog', (await index.stats()).torrents)
          const entries = withProgress(libraryEntries(index, { ownOnly: opts.ownOnly === true }), bar)
          try {
            report(await publisher.publish(entries).catch(rethrowCatalogError))
          } finally {
            bar.stop()
          }
        }
        try {
          await dht.listen(0, opts.host ?? '0.0.0.0')
          ctx.out.info('joining the DHT…')
          await dht.bootstrap()
          await once()
          if (opts.once) return
          ctx.out.info(`seeding; rebuilding and re-putting every ${interval} s; Ctrl-C to stop`)
          await new Promise<void>((resolve) => {
            const timer = setInterval(() => {
              once().catch((err: Error) => ctx.out.warn(`republish failed: ${err.message}`))
            }, interval * 1000)
            const stop = (): void => {
              clearInterval(timer)
              process.off('SIGINT', stop)
              process.off('SIGTERM', stop)
              resolve()
            }
            process.on('SIGINT', stop)
            process.on('SIGTERM', stop)
          })
        } finally {
          await publisher.stop()
          await dht.destroy()
          await index.close()
          key.destroy()
        }
      }),
    )
}
