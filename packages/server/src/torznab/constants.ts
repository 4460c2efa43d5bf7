/** Torznab/Newznab error codes (Newznab API spec, "Error codes"; Torznab keeps them). */
export const TORZNAB_ERROR = {
  badCredentials: 100,
  missingParameter: 200,
  badParameter: 201,
  noSuchFunction: 202,
  functionNotAvailable: 203,
  unknown: 900,
} as const

export const TORZNAB_NS = 'http://torznab.com/schemas/2015/feed'
export const ATOM_NS = 'http://www.w3.org/2005/Atom'

/** Items per page: `limits` in caps. Prowlarr asks for 100. */
export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 100
/** Deepest offset accepted; the index pages fine deeper, but no *arr client goes there. */
export const MAX_OFFSET = 10_000
export const MAX_QUERY_CHARS = 512

/** Functions (the `t` parameter) this server answers, and the ones it knows but does not offer. */
export const FUNCTIONS = ['caps', 'search', 'tvsearch', 'movie'] as const
export const UNAVAILABLE_FUNCTIONS = ['music', 'book', 'details', 'get', 'register'] as const
