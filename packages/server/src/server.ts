import { createServer as createHttpServer } from 'node:http'
import { isIP } from 'node:net'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import { fastify, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify'
import { registerApiRoutes } from './api/routes.js'
import { keyMatches } from './auth.js'
import { ServerError } from './errors.js'
import { createMetrics, type ServerMetrics } from './metrics/metrics.js'
import { ClassifiedSearch } from './search/classified-search.js'
import { registerTorznabRoutes } from './torznab/routes.js'
import type { MetricSource, SearchSource } from './types.js'
import { registerWebRoutes } from './web/routes.js'
import type { SampleStore } from './dashboard/sample-store.js'
import { registerWatchRoutes } from './watch/routes.js'
import { createWatcher } from './watch/watcher.js'
import type { WatchStore } from './watch/watch-store.js'

export const SERVER_VERSION = '0.1.0'
export const DEFAULT_PORT = 9696

export interface ServerOptions {
  source: SearchSource
  /** Default 127.0.0.1. Any other address needs `apiKey`. */
  host?: string
  /** Default 9696 (Prowlarr's neighbourhood); 0 picks a free port. */
  port?: number
  /** Required by Torznab (error 100 otherwise); everywhere when `requireKeyEverywhere`. */
  apiKey?: string
  /** Also guard the page, JSON API and metrics with the key. Default: true off loopback. */
  requireKeyEverywhere?: boolean
  /** Absolute base URL put in feeds, when clients reach the server through a proxy. */
  publicUrl?: string
  /** Requests per IP per window; `false` turns the limit off. Default 300 per minute. */
  rateLimit?: { max: number; windowMs: number } | false
  /** Counters and gauges of collaborators (DHT node, harvester) exposed on /metrics. */
  metricSources?: readonly MetricSource[]
  /** Stored samples for the dashboard charts (see createSampleStore). */
  samples?: SampleStore
  /** Saved searches: served at /rss/<id>; their webhooks are checked while listening. */
  watches?: WatchStore
  /** How often saved searches with a webhook are checked (default one minute). */
  watchIntervalMs?: number
  /** Where a failed webhook delivery is reported (it is retried on the next check). */
  onWatchError?: (err: unknown) => void
  title?: string
}

export interface BbmeshServer {
  readonly app: FastifyInstance
  readonly metrics: ServerMetrics
  /** Starts listening; resolves to the base URL (http://127.0.0.1:9696). Idempotent. */
  listen(): Promise<string>
  /** Stops accepting, finishes in-flight requests, releases the socket. Idempotent. */
  close(): Promise<void>
}

/** Limits on what a request may send: nothing here takes a body, and URLs stay short. */
const MAX_BODY_BYTES = 16 * 1024
const MAX_HEADER_BYTES = 16 * 1024
const MAX_PARAM_CHARS = 128

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1'
}

/** Builds the server (routes, limits, metrics); nothing listens until `listen()`. */
export async function createServer(opts: ServerOptions): Promise<BbmeshServer> {
  const host = opts.host ?? '127.0.0.1'
  const port = opts.port ?? DEFAULT_PORT
  if (opts.apiKey !== undefined && opts.apiKey.length < 16)
    throw new ServerError('BAD_OPTIONS', 'the API key must be at least 16 characters')
  if (!isLoopback(host) && opts.apiKey === undefined)
    throw new ServerError('BAD_OPTIONS', `refusing to serve on ${host} without an API key`)
  const guardAll = opts.requireKeyEverywhere ?? !isLoopback(host)
  const title = opts.title ?? 'bbmesh'
  const metrics = createMetrics(opts.source, opts.metricSources)
  const search = new ClassifiedSearch(opts.source)

  const app = fastify({
    // No request logging at all: URLs carry the API key (Torznab puts it in the query string).
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_CHARS },
    forceCloseConnections: true,
    // Unknown query parameters are errors, not silently dropped (fastify's default strips them).
    ajv: { customOptions: { removeAdditional: false } },
    serverFactory: (handler) => createHttpServer({ maxHeaderSize: MAX_HEADER_BYTES }, handler),
  })

  await app.register(swagger, {
    openapi: {
      info: { title: 'bbmesh server', version: SERVER_VERSION },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } } },
    },
  })
  if (opts.rateLimit !== false) {
    const limit = opts.rateLimit ?? { max: 300, windowMs: 60_000 }
    await app.register(rateLimit, {
      max: limit.max,
      timeWindow: limit.windowMs,
      onExceeded: () => metrics.rateLimited(),
      errorResponseBuilder: (_req, ctx) =>
        new ServerError('RATE_LIMITED', `too many requests; retry in ${ctx.after}`, ctx.statusCode),
    })
  }

  app.addHook('onRequest', async (req) => {
    if (!guardAll || opts.apiKey === undefined || req.url.startsWith('/torznab/')) return
    const presented = req.headers['x-api-key'] ?? (req.query as Record<string, unknown>).apikey
    if (!keyMatches(opts.apiKey, typeof presented === 'string' ? presented : undefined))
      throw new ServerError('BAD_API_KEY', 'a valid API key is required (X-Api-Key header or apikey)', 401)
  })
  app.addHook('onResponse', async (req, reply) => {
    metrics.observeRequest(routeLabel(req), req.method, reply.statusCode, reply.elapsedTime / 1000)
  })
  app.setErrorHandler((err: FastifyError | ServerError, _req, reply) => {
    const { status, code, message } = describe(err)
    return reply.status(status).type('application/json; charset=utf-8').send({ error: { code, message } })
  })
  app.setNotFoundHandler((_req, reply) =>
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'no such route' } }),
  )

  const baseUrl = (req: FastifyRequest): string =>
    opts.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.host}`
  registerTorznabRoutes(app, { search, apiKey: opts.apiKey, title, version: SERVER_VERSION, baseUrl })
  registerApiRoutes(app, { source: opts.source, search })
  registerWebRoutes(app, {
    source: opts.source,
    search,
    title,
    ...(opts.samples && { samples: opts.samples }),
  })
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(metrics.registry.contentType)
    return metrics.registry.metrics()
  })
  const watcher =
    opts.watches === undefined
      ? undefined
      : createWatcher({
          store: opts.watches,
          search,
          ...(opts.watchIntervalMs !== undefined && { intervalMs: opts.watchIntervalMs }),
          ...(opts.onWatchError !== undefined && { onError: opts.onWatchError }),
        })
  if (opts.watches !== undefined)
    registerWatchRoutes(app, { store: opts.watches, search, apiKey: opts.apiKey, title, baseUrl })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  let listening: Promise<string> | undefined
  let closing: Promise<void> | undefined
  return {
    app,
    metrics,
    listen() {
      listening ??= app.listen({ host, port }).then(() => {
        const addr = app.server.address()
        if (addr === null || typeof addr === 'string') throw new ServerError('INTERNAL', 'no TCP address')
        const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
        watcher?.start()
        return `http://${h}:${addr.port}`
      })
      return listening
    },
    close() {
      watcher?.stop()
      closing ??= app.close()
      return closing
    },
  }
}

/** The route pattern (/api/torrent/:infohash), never the raw path, so label values stay bounded. */
function routeLabel(req: FastifyRequest): string {
  return req.routeOptions.url ?? 'unmatched'
}

function describe(err: FastifyError | ServerError): { status: number; code: string; message: string } {
  if (err instanceof ServerError) return { status: err.status, code: err.code, message: err.message }
  if (err.validation !== undefined)
    return {
      status: 400,
      code: 'BAD_PARAMETER',
      message: `${err.validationContext ?? 'request'} ${err.message}`,
    }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { status: 413, code: 'TOO_LARGE', message: 'request body too large' }
  if (err.name === 'IndexError' && (err as { code?: string }).code === 'BAD_INPUT')
    return { status: 400, code: 'BAD_PARAMETER', message: err.message }
  const status =
    typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
  // A 500 says nothing about internals; a client error keeps its message.
  return {
    status,
    code: status === 500 ? 'INTERNAL' : 'BAD_REQUEST',
    message: status === 500 ? 'internal error' : err.message,
  }
}
