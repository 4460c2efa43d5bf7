import type { FastifyInstance, FastifyRequest } from 'fastify'
import { keyMatches } from '../auth.js'
import type { ClassifiedSearch } from '../search/classified-search.js'
import { DEFAULT_LIMIT, TORZNAB_ERROR } from '../torznab/constants.js'
import { TorznabError } from '../torznab/torznab-error.js'
import { errorXml, feedXml } from '../torznab/xml.js'
import type { WatchStore } from './watch-store.js'

export interface WatchRouteDeps {
  store: WatchStore
  search: ClassifiedSearch
  apiKey: string | undefined
  title: string
  baseUrl: (req: FastifyRequest) => string
}

/** `/rss/<id>`: a saved search as RSS, the same items Torznab gives, keyed like Torznab. */
export function registerWatchRoutes(app: FastifyInstance, deps: WatchRouteDeps): void {
  app.get<{ Params: { id: string }; Querystring: { apikey?: string } }>(
    '/rss/:id',
    { schema: { hide: true } },
    async (req, reply) => {
      reply.type('application/rss+xml; charset=utf-8')
      if (deps.apiKey !== undefined && !keyMatches(deps.apiKey, req.query.apikey))
        return errorXml(new TorznabError(TORZNAB_ERROR.badCredentials, 'Incorrect user credentials'))
      const w = /^[0-9a-f]{12}$/.test(req.params.id) ? deps.store.get(req.params.id) : undefined
      if (w === undefined) {
        reply.status(404)
        return errorXml(new TorznabError(TORZNAB_ERROR.badParameter, 'No such saved search'))
      }
      const page = await deps.search.search({
        text: w.query,
        limit: DEFAULT_LIMIT,
        offset: 0,
        categories: w.categories,
      })
      const base = deps.baseUrl(req)
      return feedXml(page.hits, {
        title: `${deps.title}: ${w.query}`,
        selfUrl: `${base}/rss/${w.id}`,
        baseUrl: base,
        offset: 0,
        total: page.total,
        extended: true,
      })
    },
  )
}
