import type { FastifyInstance } from 'fastify'
import { classify } from '../classify/classify.js'
import { ServerError } from '../errors.js'
import type { ClassifiedSearch } from '../search/classified-search.js'
import { magnetLink } from '../search/magnet.js'
import type { SearchSource } from '../types.js'
import {
  errorSchema,
  searchQuerySchema,
  searchReplySchema,
  statsReplySchema,
  torrentParamsSchema,
  torrentReplySchema,
} from './schemas.js'

interface SearchQs {
  q: string
  limit: number
  offset: number
  cat?: string
  minSize?: number
  maxSize?: number
  ext?: string
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString())

/** The JSON API under /api; every reply and error is described by a schema (see /openapi.json). */
export function registerApiRoutes(
  app: FastifyInstance,
  deps: { source: SearchSource; search: ClassifiedSearch },
): void {
  app.get<{ Querystring: SearchQs }>(
    '/api/search',
    {
      schema: {
        summary: 'Full-text search of the index',
        querystring: searchQuerySchema,
        response: { 200: searchReplySchema, 400: errorSchema },
      },
    },
    async (req) => {
      const q = req.query
      if (q.minSize !== undefined && q.maxSize !== undefined && q.minSize > q.maxSize)
        throw new ServerError('BAD_PARAMETER', 'minSize is larger than maxSize')
      const page = await deps.search.search({
        text: q.q.trim(),
        limit: q.limit,
        offset: q.offset,
        categories: q.cat === undefined ? [] : q.cat.split(',').map(Number),
        ...(q.minSize !== undefined && { minSize: q.minSize }),
        ...(q.maxSize !== undefined && { maxSize: q.maxSize }),
        ...(q.ext !== undefined && { extension: q.ext.replace(/^\./, '') }),
      })
      return {
        query: q.q,
        total: page.total,
        totalExact: page.totalExact,
        offset: q.offset,
        limit: q.limit,
        hits: page.hits.map(({ hit, classification }) => ({
          infohashV1: hit.infohashV1,
          infohashV2: hit.infohashV2,
          name: hit.name,
          size: hit.totalSize,
          files: hit.fileCount,
          firstSeen: hit.firstSeen.toISOString(),
          lastSeen: hit.lastSeen.toISOString(),
          score: hit.score,
          magnet: magnetLink(hit),
          classification,
          matchedFiles: hit.matchedFiles,
        })),
      }
    },
  )

  app.get<{ Params: { infohash: string } }>(
    '/api/torrent/:infohash',
    {
      schema: {
        summary: 'One torrent with its files, magnet link and sightings',
        params: torrentParamsSchema,
        response: { 200: torrentReplySchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const t = await deps.source.get(req.params.infohash.toLowerCase())
      if (t === undefined)
        throw new ServerError('NOT_FOUND', 'no torrent with this infohash in the index', 404)
      return {
        infohashV1: t.infohashV1,
        infohashV2: t.infohashV2,
        name: t.name,
        size: t.totalSize,
        pieceLength: t.pieceLength,
        private: t.private,
        magnet: magnetLink(t),
        classification: classify({ name: t.name, files: t.files }),
        sightings: {
          count: t.seenCount,
          firstSeen: t.firstSeen.toISOString(),
          lastSeen: t.lastSeen.toISOString(),
          metadataFetchedAt: iso(t.metadataFetchedAt),
          source: t.source,
        },
        files: t.files.map((f) => ({ path: f.path, size: f.size })),
      }
    },
  )

  app.get(
    '/api/stats',
    { schema: { summary: 'Counts and sizes of the index', response: { 200: statsReplySchema } } },
    async () => {
      const s = await deps.source.stats()
      return { ...s, oldestFirstSeen: iso(s.oldestFirstSeen), newestLastSeen: iso(s.newestLastSeen) }
    },
  )
}
