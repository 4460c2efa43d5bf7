// `bbmesh serve`: Torznab for Prowlarr/Sonarr, the JSON API, the web page and /metrics over the
// index, until SIGINT/SIGTERM.
import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import { UsageError } from '../errors.js'
import { parseCount } from '../units.js'
import { loadCommunity } from '@bbmesh/mesh'
import { communityCliError, communityName } from './community-mesh.js'
import { parseBootstrap, parseHostPort } from './dht-shared.js'
import { joinServeCommunity, type ServeMember } from './serve-community.js'
import { startServer } from './serve-run.js'

const collect = (v: string, acc: string[]): string[] => [...acc, v]

/** The server's DEFAULT_PORT, repeated here so that `--help` needs no import of the server. */
const DEFAULT_PORT = 9696

interface ServeOptions {
  host: string
  port: string
  apiKey?: string | false
  apiKeyFile?: string
  community?: string | true
  bootstrap?: string
  peer: string[]
  meshPort: string
  deadline: string
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
    .option(
      '--community [name]',
      "answer searches with the community's merged results (bb_search); no name: the configured `community`",
    )
    .option('--bootstrap <hosts>', 'with --community: host:port,… to join the DHT through')
    .option('--peer <host:port>', 'with --community: a member to dial directly (repeatable)', collect, [])
    .option('--mesh-port <p>', 'with --community: TCP port of the member listener; 0 = any free port', '0')
    .option('--deadline <ms>', 'with --community: how long a search waits for members (1-30000)', '1500')
    .option('--rate-limit <n>', 'requests per minute per client IP', '300')
    .option('--public-url <url>', 'base URL written into feeds when behind a proxy')
    .addHelpText(
      'after',
      `
By default the key is generated on first run and kept in <data-dir>/server-api-key (0600); give
it to Prowlarr as the indexer's API key. On loopback only Torznab asks for it; on any other
address every route does (X-Api-Key header or apikey=). SIGINT/SIGTERM stop it gracefully.
With --community, first-page text searches (offset + limit <= 100) go to the linked members and
this index at once and return the merged results; deeper pages read this index alone. Torrents only
members hold have no detail page here.
Example:
  bbmesh serve --port 9696        # Prowlarr: Generic Torznab, URL http://127.0.0.1:9696/torznab
  bbmesh serve --community friends`,
    )
    .action(
      commandAction(async (ctx, opts: ServeOptions) => {
        if (opts.community === undefined && (opts.peer.length > 0 || opts.bootstrap !== undefined))
          throw new UsageError('--peer and --bootstrap need --community')
        const community =
          opts.community === undefined
            ? undefined
            : {
                name: communityName(ctx, opts.community),
                bootstrap: parseBootstrap(opts.bootstrap),
                peers: opts.peer.map((p) => parseHostPort(p, '--peer')),
                meshPort: parseCount(opts.meshPort, '--mesh-port', 0, 65_535),
                deadlineMs: parseCount(opts.deadline, '--deadline', 1, 30_000),
              }
        if (community?.bootstrap?.length === 0) throw new UsageError('--bootstrap: expected host:port,…')
        // A community we do not hold fails here, before any traffic.
        if (community) await loadCommunity(ctx.dataDir, community.name).catch(communityCliError)
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
        let member: ServeMember | undefined
        try {
          if (community) member = await joinServeCommunity(ctx, index, community)
          const server = await startServer(
            ctx,
            index,
            {
              host: opts.host,
              port,
              ...(opts.apiKey !== undefined && { apiKey: opts.apiKey }),
              ...(opts.apiKeyFile !== undefined && { apiKeyFile: opts.apiKeyFile }),
              rateLimit,
              ...(opts.publicUrl !== undefined && { publicUrl: opts.publicUrl }),
            },
            member && { source: member.source },
          )
          if (!abort.signal.aborted)
            await new Promise<void>((resolve) =>
              abort.signal.addEventListener('abort', () => resolve(), { once: true }),
            )
          await server.close()
          if (ctx.out.json) ctx.out.record({ event: 'stopped' })
        } finally {
          await member?.close()
          process.off('SIGINT', onSignal)
          process.off('SIGTERM', onSignal)
          await index.close()
        }
      }),
    )
}
