import type { FastifyInstance, FastifyRequest } from 'fastify'
import { keyMatches } from '../auth.js'
import type { Classification } from '../classify/classify.js'
import type { ClassifiedSearch } from '../search/classified-search.js'
import { TORZNAB_ERROR } from './constants.js'
import { parseTorznabParams, type TorznabParams } from './params.js'
import { TorznabError } from './torznab-error.js'
import { capsXml, errorXml, feedXml } from './xml.js'

export interface TorznabDeps {
  search: ClassifiedSearch
  apiKey: string | undefined
  title: string
  version: string
  baseUrl: (req: FastifyRequest) => string
}

const XML = 'application/xml; charset=utf-8'
/** Default categories when a typed search names none: what Sonarr/Radarr would ask for anyway. */
const TV_CATS = [5000]
const MOVIE_CATS = [2000]

/** Torznab at /torznab/api (Prowlarr "Generic Torznab": URL …/torznab, API path /api). */
export function registerTorznabRoutes(app: FastifyInstance, deps: TorznabDeps): void {
  app.get('/torznab/api', { schema: { hide: true } }, async (req, reply) => {
    reply.type(XML)
    try {
      const params = parseTorznabParams(req.query as Record<string, unknown>)
      // Every function, caps included, needs the key: a wrong key gets error 100 and never data.
      if (deps.apiKey !== undefined && !keyMatches(deps.apiKey, params.apikey))
        throw new TorznabError(TORZNAB_ERROR.badCredentials, 'Incorrect user credentials')
      if (params.t === 'caps') return capsXml({ title: deps.title, version: deps.version })
      return await answerSearch(req, params, deps)
    } catch (err) {
      if (err instanceof TorznabError) {
        // Newznab answers errors as a 200 with an <error> document; clients read the code.
        return errorXml(err)
      }
      throw err
    }
  })
}

async function answerSearch(req: FastifyRequest, p: TorznabParams, deps: TorznabDeps): Promise<string> {
  let text = p.q
  let accept: ((c: Classification) => boolean) | undefined
  let categories = p.categories
  if (p.t === 'tvsearch') {
    if (categories.length === 0) categories = TV_CATS
    // SxxEyy is one index token, so naming the episode narrows the search itself; a season alone
    // is checked on each hit (a pack "S02" and an episode "S02E05" are different tokens).
    if (p.season !== undefined && p.episode !== undefined)
      text = `${text} S${pad(p.season)}E${pad(p.episode)}`.trim()
    const { season, episode } = p
    if (season !== undefined)
      accept = (c) =>
        c.season === season && (episode === undefined || c.episode === undefined || c.episode === episode)
  }
  if (p.t === 'movie') {
    if (categories.length === 0) categories = MOVIE_CATS
    // No IMDb mapping exists; an id alone finds only torrents whose names or files carry it.
    if (text === '' && p.imdbid !== undefined) text = p.imdbid
  }
  const page = await deps.search.search({
    text,
    limit: p.limit,
    offset: p.offset,
    categories,
    ...(accept !== undefined && { accept }),
  })
  const base = deps.baseUrl(req)
  return feedXml(page.hits, {
    title: deps.title,
    selfUrl: base + stripKey(req.url),
    baseUrl: base,
    offset: p.offset,
    total: page.total,
    extended: p.extended,
  })
}

const pad = (n: number): string => String(n).padStart(2, '0')

/** The request URL without its apikey, so a feed never echoes the key back. */
function stripKey(url: string): string {
  const u = new URL(url, 'http://x')
  u.searchParams.delete('apikey')
  return u.pathname + u.search
}
