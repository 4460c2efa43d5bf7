import type { FastifyInstance } from 'fastify'
import type { SampleStore } from '../dashboard/sample-store.js'
import type { ClassifiedSearch } from '../search/classified-search.js'
import { isInfohash } from '../search/magnet.js'
import type { SearchSource } from '../types.js'
import { html, page } from './html.js'
import { dashboardView, detailView, resultsView, searchForm } from './pages.js'

const HTML = 'text/html; charset=utf-8'
const PAGE_SIZE = 50
const MAX_OFFSET = 10_000

export interface WebDeps {
  source: SearchSource
  search: ClassifiedSearch
  title: string
  samples?: SampleStore
}

/** The server-rendered pages: search works with plain form GETs, no script anywhere. */
export function registerWebRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get<{ Querystring: { q?: string; offset?: number } }>(
    '/',
    {
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 512 },
            offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET },
          },
        },
      },
    },
    async (req, reply) => {
      reply.type(HTML)
      const q = (req.query.q ?? '').trim()
      if (q === '')
        return page(
          'Search',
          deps.title,
          html`${searchForm('')}
            <p class="muted">Search the index by torrent and file names.</p>`,
        )
      const offset = req.query.offset ?? 0
      const results = await deps.search.search({ text: q, limit: PAGE_SIZE, offset })
      return page(q, deps.title, resultsView(q, results, offset, PAGE_SIZE))
    },
  )

  app.get<{ Params: { infohash: string } }>(
    '/torrent/:infohash',
    { schema: { hide: true } },
    async (req, reply) => {
      reply.type(HTML)
      const ih = req.params.infohash
      const t = isInfohash(ih) ? await deps.source.get(ih.toLowerCase()) : undefined
      if (t === undefined) {
        reply.status(isInfohash(ih) ? 404 : 400)
        return page(
          'Not found',
          deps.title,
          html`<h1>Not found</h1>
            <p>No torrent <code>${ih}</code> in this index.</p>`,
        )
      }
      return page(t.name, deps.title, detailView(t))
    },
  )

  app.get('/dashboard', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(HTML)
    const stats = await deps.source.stats()
    return page('Dashboard', deps.title, dashboardView(stats, deps.samples?.samples() ?? []))
  })
}
