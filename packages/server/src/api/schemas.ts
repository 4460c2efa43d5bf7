/** JSON schemas of the JSON API: fastify validates requests with them and @fastify/swagger turns them into OpenAPI. */

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const

const classification = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['tv', 'movie', 'video', 'audio', 'software', 'ebook', 'other'] },
    category: { type: 'integer', description: 'Torznab parent category' },
    subcategory: { type: 'integer' },
    season: { type: 'integer' },
    episode: { type: 'integer' },
    year: { type: 'integer' },
  },
} as const

const hashes = {
  infohashV1: { type: ['string', 'null'], description: '40 hex digits' },
  infohashV2: { type: ['string', 'null'], description: '64 hex digits' },
} as const

export const searchQuerySchema = {
  type: 'object',
  properties: {
    q: {
      type: 'string',
      maxLength: 512,
      default: '',
      description: 'words as people type them; empty lists newest first',
    },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    offset: { type: 'integer', minimum: 0, maximum: 10000, default: 0 },
    cat: {
      type: 'string',
      maxLength: 200,
      pattern: '^[0-9]{1,6}(,[0-9]{1,6}){0,31}$',
      description: 'Torznab category ids, comma-separated',
    },
    minSize: { type: 'integer', minimum: 0, description: 'bytes' },
    maxSize: { type: 'integer', minimum: 0, description: 'bytes' },
    ext: {
      type: 'string',
      maxLength: 16,
      pattern: '^\\.?[A-Za-z0-9]{1,15}$',
      description: 'a file extension, e.g. mkv',
    },
    apikey: {
      type: 'string',
      maxLength: 256,
      description: 'the API key when the server requires one (or X-Api-Key)',
    },
  },
  additionalProperties: false,
} as const

export const searchReplySchema = {
  type: 'object',
  required: ['query', 'total', 'totalExact', 'offset', 'limit', 'hits'],
  properties: {
    query: { type: 'string' },
    total: { type: 'integer', description: 'exact while totalExact, else a lower bound' },
    totalExact: { type: 'boolean' },
    offset: { type: 'integer' },
    limit: { type: 'integer' },
    hits: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...hashes,
          name: { type: 'string' },
          size: { type: 'integer' },
          files: { type: 'integer' },
          firstSeen: { type: 'string', format: 'date-time' },
          lastSeen: { type: 'string', format: 'date-time' },
          score: { type: 'number' },
          magnet: { type: 'string' },
          classification,
          matchedFiles: {
            type: 'array',
            items: { type: 'object', properties: { path: { type: 'string' }, size: { type: 'integer' } } },
          },
        },
      },
    },
  },
} as const

export const torrentParamsSchema = {
  type: 'object',
  required: ['infohash'],
  properties: { infohash: { type: 'string', pattern: '^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$' } },
} as const

export const torrentReplySchema = {
  type: 'object',
  properties: {
    ...hashes,
    name: { type: 'string' },
    size: { type: 'integer' },
    pieceLength: { type: ['integer', 'null'] },
    private: { type: 'boolean' },
    magnet: { type: 'string' },
    classification,
    sightings: {
      type: 'object',
      description: 'how often and when the DHT showed this torrent, and where its metadata came from',
      properties: {
        count: { type: 'integer' },
        firstSeen: { type: 'string', format: 'date-time' },
        lastSeen: { type: 'string', format: 'date-time' },
        metadataFetchedAt: { type: ['string', 'null'], format: 'date-time' },
        source: { type: 'string' },
      },
    },
    files: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, size: { type: 'integer' } } },
    },
  },
} as const

export const statsReplySchema = {
  type: 'object',
  properties: {
    torrents: { type: 'integer' },
    files: { type: 'integer' },
    totalSize: { type: 'integer' },
    pendingMetadata: { type: 'integer' },
    newLastDay: { type: 'integer' },
    oldestFirstSeen: { type: ['string', 'null'], format: 'date-time' },
    newestLastSeen: { type: ['string', 'null'], format: 'date-time' },
    cachedMetadata: { type: 'integer' },
    cacheBytes: { type: 'integer' },
    dbBytes: { type: 'integer' },
  },
} as const
