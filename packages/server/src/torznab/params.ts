import {
  DEFAULT_LIMIT,
  FUNCTIONS,
  MAX_LIMIT,
  MAX_OFFSET,
  MAX_QUERY_CHARS,
  TORZNAB_ERROR,
  UNAVAILABLE_FUNCTIONS,
} from './constants.js'
import { TorznabError } from './torznab-error.js'

export type TorznabFunction = (typeof FUNCTIONS)[number]

export interface TorznabParams {
  t: TorznabFunction
  q: string
  categories: number[]
  limit: number
  offset: number
  extended: boolean
  apikey: string | undefined
  season?: number
  episode?: number
  imdbid?: string
}

const bad = (what: string): TorznabError =>
  new TorznabError(TORZNAB_ERROR.badParameter, `Incorrect parameter: ${what}`)

/** One string value; a repeated parameter (?q=a&q=b) is refused rather than guessed at. */
function single(raw: Record<string, unknown>, name: string): string | undefined {
  const v = raw[name]
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw bad(`${name} given more than once`)
  return v
}

function integer(raw: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const v = single(raw, name)
  if (v === undefined || v === '') return undefined
  if (!/^\d{1,9}$/.test(v)) throw bad(`${name} must be a whole number`)
  const n = Number(v)
  if (n < min || n > max) throw bad(`${name} must be ${min}-${max}`)
  return n
}

/**
 * Validates a Torznab query string. Missing `t` is 200, an unknown one 202, a known one we do not
 * offer (music, book) 203, and any malformed value 201: never a guess, never a partial answer.
 */
export function parseTorznabParams(raw: Record<string, unknown>): TorznabParams {
  const t = single(raw, 't')
  if (t === undefined || t === '')
    throw new TorznabError(TORZNAB_ERROR.missingParameter, 'Missing parameter: t')
  if ((UNAVAILABLE_FUNCTIONS as readonly string[]).includes(t))
    throw new TorznabError(TORZNAB_ERROR.functionNotAvailable, `Function not available: ${t}`)
  if (!(FUNCTIONS as readonly string[]).includes(t))
    throw new TorznabError(TORZNAB_ERROR.noSuchFunction, `No such function: ${t.slice(0, 32)}`)
  const q = (single(raw, 'q') ?? '').trim()
  if (q.length > MAX_QUERY_CHARS) throw bad(`q longer than ${MAX_QUERY_CHARS} characters`)
  const cat = single(raw, 'cat') ?? ''
  const categories: number[] = []
  for (const part of cat.split(',')) {
    if (part.trim() === '') continue
    if (!/^\d{1,6}$/.test(part.trim())) throw bad('cat must be comma-separated category ids')
    // An id we never produce matches nothing; keep it so the answer is honestly empty.
    categories.push(Number(part.trim()))
    if (categories.length > 32) throw bad('cat lists more than 32 categories')
  }
  // Clients may ask for more than `limits max`; the spec lets the server return fewer.
  const limitRaw = integer(raw, 'limit', 0, 1_000_000)
  const limit = limitRaw === undefined || limitRaw === 0 ? DEFAULT_LIMIT : Math.min(limitRaw, MAX_LIMIT)
  const offset = integer(raw, 'offset', 0, MAX_OFFSET) ?? 0
  const ext = single(raw, 'extended')
  if (ext !== undefined && ext !== '' && ext !== '0' && ext !== '1') throw bad('extended must be 0 or 1')
  const params: TorznabParams = {
    t: t as TorznabFunction,
    q,
    categories,
    limit,
    offset,
    extended: ext === '1',
    apikey: single(raw, 'apikey'),
  }
  if (t === 'tvsearch') {
    const season = single(raw, 'season')
    if (season !== undefined && season !== '') {
      // Sonarr sends daily shows' seasons as a year and episodes as "MM/DD"; only numbers are matched here.
      if (!/^\d{1,4}$/.test(season)) throw bad('season must be a number')
      params.season = Number(season)
    }
    const ep = integer(raw, 'ep', 0, 9999)
    if (ep !== undefined) {
      if (params.season === undefined) throw bad('ep needs season')
      params.episode = ep
    }
  }
  if (t === 'movie') {
    const imdb = single(raw, 'imdbid')
    if (imdb !== undefined && imdb !== '') {
      const m = /^(?:tt)?(\d{7,8})$/.exec(imdb)
      if (m === null) throw bad('imdbid must be tt followed by 7-8 digits')
      params.imdbid = `tt${m[1]}`
    }
  }
  return params
}
