// `bbmesh serve`: Torznab for Prowlarr/Sonarr, the JSON API, the web page and /metrics over the
// index, until SIGINT/SIGTERM.
import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import { UsageError } from '../errors.js'
import { parseCount } from '../units.js'
import { startServer } from './serve-run.js'

/** The server's DEFAULT_PORT, repeated here so that `--help` needs no import of the server. */
const DEFAULT_PORT = 9696

interface ServeOptions {
  host: string
  port: string
  apiKey?: string | false
  apiKeyFile?: string
  community?: string
  rateLimit: string
  publicUrl?: string
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the index: Torznab (Prowlarr/Sonarr), JSON API, web search page, /metrics')
    .option('--host <address>', 'address to bind; anything but loopback needs an API key', '127.0.0.1')
    .option('--port <p>', 'TCP port; 0 = any free port', String(DEFAULT_PORT))
    .option('--api-key <key>', 'use this key (visible in ps; prefer --api-key-file)')
    .option('--no-api-key', 'no key at all (loopback only)')
    .option('--api-key-file <file>', 'read the key from this file (mode 0600)')
    .option('--community <name>', 'also answer with federated community results (not available yet)')
    .option('--rate-limit <n>', 'requests per minute per client IP', '300')
    .option('--public-url <url>', 'base URL written into feeds when behind a proxy')
    .addHelpText(
      'after',
      `
By default the key is generated on first run and kept in <data-dir>/server-api-key (0600); give
it to Prowlarr as the indexer's API key. On loopback only Torznab asks for it; on any other
address every route does (X-Api-Key header or apikey=). SIGINT/SIGTERM stop it gracefully.
Example:
  bbmesh serve --port 9696        # Prowlarr: Generic Torznab, URL http://127.0.0.1:9696/torznab`,
    )
    .action(
      commandAction(async (ctx, opts: ServeOptions) => {
        if (opts.community !== undefined)
          throw new UsageError('--community: federated search has not landed yet; serve without it')
        const port = parseCount(opts.port, '--port', 0, 65_535)
        const rateLimit = parseCount(opts.rateLimit, '--rate-limit', 1, 1_000_000)
        if (opts.publicUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(opts.publicUrl))
          throw new UsageError('--public-url: expected http(s)://host[:port][/path]')
        const abort = new AbortController()
        const onSignal = (sig: NodeJS.Signals): void => {
          ctx.out.info(`${sig}: stopping`)
          abort.abort()
        }
        process.once('SIGINT', onSignal)
        process.once('SIGTERM', onSignal)
        const index = await ctx.openIndex()
        try {
          const server = await startServer(ctx, index, {
            host: opts.host,
            port,
            ...(opts.apiKey !== undefined && { apiKey: opts.apiKey }),
            ...(opts.apiKeyFile !== undefined && { apiKeyFile: opts.apiKeyFile }),
            rateLimit,
            ...(opts.publicUrl !== undefined && { publicUrl: opts.publicUrl }),
          })
          if (!abort.signal.aborted)
            await new Promise<void>((resolve) =>
              abort.signal.addEventListener('abort', () => resolve(), { once: true }),
            )
          await server.close()
          if (ctx.out.json) ctx.out.record({ event: 'stopped' })
        } finally {
          process.off('SIGINT', onSignal)
          process.off('SIGTERM', onSignal)
          await index.close()
        }
      }),
    )
}
