// Starts the @bbmesh/server over the index for `bbmesh serve` and `bbmesh crawl --serve`: resolves
// the API key (flag, file, or the one generated in the data dir), checks host and port, and hands
// back one close() for shutdown.
import { join } from 'node:path'
import type { PooledIndex } from '@bbmesh/index'
// Types only: the server (fastify, prom-client, swagger) is loaded when a command serves, so it
// does not slow down the start of every other bbmesh command.
import type * as ServerModuleNs from '@bbmesh/server'
import type { MetricSource, SearchSource } from '@bbmesh/server'
import type { CommandContext } from '../context.js'
import { CliError, UsageError } from '../errors.js'
import { watchStore } from './watch.js'

export interface ServeFlags {
  host: string
  port: number
  /** A key given on the command line; false for --no-api-key. */
  apiKey?: string | false
  apiKeyFile?: string
  rateLimit: number
  publicUrl?: string
}

export interface RunningServer {
  url: string
  close(): Promise<void>
}

export const SAMPLES_FILE = 'server-samples.ndjson'

/** Where the key comes from; the key itself is never printed, only the file that holds it. */
type ServerModule = typeof ServerModuleNs

function resolveKey(
  srv: ServerModule,
  ctx: CommandContext,
  f: ServeFlags,
): { key: string | undefined; note: string } {
  const { isLoopback, loadOrCreateApiKey, readKeyFile, ServerError } = srv
  if (f.apiKey !== undefined && f.apiKey !== false && f.apiKeyFile !== undefined)
    throw new UsageError('use --api-key or --api-key-file, not both')
  if (f.apiKey === false) {
    if (!isLoopback(f.host))
      throw new UsageError(`--no-api-key: refusing to serve ${f.host} without an API key`)
    return { key: undefined, note: 'no API key (loopback only)' }
  }
  if (typeof f.apiKey === 'string') {
    if (f.apiKey.length < 16) throw new UsageError('--api-key: at least 16 characters')
    return { key: f.apiKey, note: 'API key from --api-key' }
  }
  try {
    if (f.apiKeyFile !== undefined)
      return { key: readKeyFile(f.apiKeyFile), note: `API key in ${f.apiKeyFile}` }
    const { key, path, created } = loadOrCreateApiKey(ctx.ensureDataDir())
    return { key, note: `API key ${created ? 'created in' : 'in'} ${path}` }
  } catch (err) {
    if (err instanceof ServerError) throw new CliError(err.message, err.code)
    throw err
  }
}

export async function startServer(
  ctx: CommandContext,
  index: PooledIndex,
  f: ServeFlags,
  extra: {
    metricSources?: readonly MetricSource[]
    sampleValues?: () => Record<string, number>
    /** What searches read instead of the index alone (serve --community). */
    source?: SearchSource
  } = {},
): Promise<RunningServer> {
  const srv = await import('@bbmesh/server')
  const { createSampleStore, createServer, ServerError } = srv
  const { key, note } = resolveKey(srv, ctx, f)
  const samples = createSampleStore({
    path: join(ctx.ensureDataDir(), SAMPLES_FILE),
    read: async () => {
      const s = await index.stats()
      return {
        torrents: s.torrents,
        files: s.files,
        pending_metadata: s.pendingMetadata,
        ...extra.sampleValues?.(),
      }
    },
  })
  let server
  try {
    server = await createServer({
      source: extra.source ?? index,
      host: f.host,
      port: f.port,
      ...(key !== undefined && { apiKey: key }),
      rateLimit: { max: f.rateLimit, windowMs: 60_000 },
      ...(f.publicUrl !== undefined && { publicUrl: f.publicUrl }),
      ...(extra.metricSources !== undefined && { metricSources: extra.metricSources }),
      samples,
      watches: await watchStore(ctx),
      onWatchError: (err) => ctx.out.warn(`saved search: ${(err as Error).message}`),
    })
  } catch (err) {
    if (err instanceof ServerError) throw new CliError(err.message, err.code, 2)
    throw err
  }
  let url: string
  try {
    url = await server.listen()
  } catch (err) {
    await server.close().catch(() => undefined)
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw new CliError(`port ${f.port} on ${f.host} is in use`, 'ADDR_IN_USE')
    if (code === 'EADDRNOTAVAIL')
      throw new CliError(`${f.host} is not an address of this machine`, 'ADDR_NOT_AVAILABLE')
    throw err
  }
  await samples.start()
  if (ctx.out.json)
    ctx.out.record({ event: 'listening', url, torznab: `${url}/torznab`, metrics: `${url}/metrics` })
  ctx.out.info(`serving ${url} (Torznab ${url}/torznab, API path /api; ${note})`)
  return {
    url,
    async close() {
      samples.stop()
      await server.close()
    },
  }
}
