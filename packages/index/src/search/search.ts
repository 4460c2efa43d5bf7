import type { Kysely, Selectable } from 'kysely'
import { fromSeconds, toHex, toSeconds } from '../codec/bytes.js'
import {
  COMMON_AT,
  DEFAULT_SEARCH_LIMIT,
  MAX_SEARCH_LIMIT,
  PREFIX_FALLBACK_BELOW,
  TOTAL_CAP,
} from '../constants.js'
import type { Database } from '../database.js'
import type { TorrentsTable } from '../tables/torrents.js'
import { IndexError } from '../errors.js'
import { fileListsOf } from '../read/files.js'
import type { MatchedFile, SearchHit, SearchPage, SearchQuery } from '../types.js'
import type { FtsFilters, FullText } from './full-text.js'
import { rankMatches } from './rank.js'
import type { FtsRanked } from './rank.js'
import { matchFilesInList } from './matched-files.js'
import { extensionToken, parseQueryText } from './tokenize.js'
import type { QueryPhrase } from './tokenize.js'

function optionalSize(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new IndexError('BAD_INPUT', `${what} must be >= 0`)
  return Math.floor(v)
}

function optionalDate(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined
  if (!(v instanceof Date) || !Number.isFinite(v.getTime()))
    throw new IndexError('BAD_INPUT', `${what} must be a valid Date`)
  return toSeconds(v)
}

/** A search over either backend: `ft` answers the full-text parts, the rest is portable kysely. */
export async function search(db: Kysely<Database>, ft: FullText, q: SearchQuery): Promise<SearchPage> {
  if (typeof q !== 'object' || q === null || typeof q.text !== 'string') {
    throw new IndexError('BAD_INPUT', 'search needs { text: string }')
  }
  const limit = Math.min(Math.max(Math.floor(q.limit ?? DEFAULT_SEARCH_LIMIT), 1), MAX_SEARCH_LIMIT)
  const offset = Math.max(Math.floor(q.offset ?? 0), 0)
  if (!Number.isFinite(limit) || !Number.isFinite(offset))
    throw new IndexError('BAD_INPUT', 'bad limit/offset')
  const filters: FtsFilters = {
    minSize: optionalSize(q.minSize, 'minSize'),
    maxSize: optionalSize(q.maxSize, 'maxSize'),
    seenSinceSeconds: optionalDate(q.seenSince, 'seenSince'),
    aliveSinceSeconds: optionalDate(q.aliveSince, 'aliveSince'),
  }
  const ext = q.extension === undefined ? undefined : extensionToken(q.extension)
  if (q.extension !== undefined && ext === undefined)
    throw new IndexError('BAD_INPUT', 'extension has no letters or digits')
  const { phrases, counts } = await resolvePhrases(ft, parseQueryText(q.text))
  const page =
    phrases.length === 0 && ext === undefined
      ? await newest(db, filters, limit, offset)
      : await ranked(db, await rankMatches(ft, phrases, counts, ext, filters, limit, offset))
  const lists = await fileListsOf(
    db,
    page.rows.map((r) => r.id),
  )
  return {
    total: page.total,
    totalExact: page.totalExact,
    hits: page.rows.map((r) =>
      toHit(r, lists.has(r.id) ? matchFilesInList(lists.get(r.id)!, phrases, ext) : []),
    ),
  }
}

/**
 * Counts each typed word's matches (up to COMMON_AT, cheap) to tell rare words from common ones, and
 * decides the prefix: the last word is a prefix only when, as a whole word, it matches fewer than
 * PREFIX_FALLBACK_BELOW torrents, i.e. it looks unfinished ("ubunt"). A finished word ("the", "1080p")
 * never pays for merging the doclists of every longer term, and the choice depends on the query alone,
 * so pages stay stable.
 */
export async function resolvePhrases(
  ft: FullText,
  typed: QueryPhrase[],
): Promise<{ phrases: QueryPhrase[]; counts: number[] }> {
  const phrases = typed.map((p) => ({ ...p, prefix: false }))
  const counts: number[] = []
  for (const p of phrases) counts.push(await ft.count({ phrases: [p] }, {}, COMMON_AT))
  const i = phrases.length - 1
  if (i >= 0 && typed[i]!.prefix && counts[i]! < PREFIX_FALLBACK_BELOW) {
    phrases[i] = typed[i]!
    counts[i] = await ft.count({ phrases: [typed[i]!] }, {}, COMMON_AT)
  }
  return { phrases, counts }
}

/** The torrent rows of a ranked page, in rank order (portable SQL). */
async function ranked(db: Kysely<Database>, r: FtsRanked) {
  if (r.ids.length === 0) return { total: r.total, totalExact: r.totalExact, rows: [] }
  const rows = await db
    .selectFrom('torrents')
    .select(HIT_COLUMNS)
    .where(
      'id',
      'in',
      r.ids.map((x) => x.id),
    )
    .execute()
  const byId = new Map(rows.map((row) => [row.id, row]))
  return {
    total: r.total,
    totalExact: r.totalExact,
    rows: r.ids.flatMap(({ id, score }) => {
      const row = byId.get(id)
      return row === undefined ? [] : [{ ...row, score }]
    }),
  }
}

const HIT_COLUMNS = [
  'id',
  'infohash_v1',
  'infohash_v2',
  'name',
  'total_size',
  'file_count',
  'first_seen',
  'last_seen',
  'last_alive_at',
  'peers_seen',
] as const

/** With no words and no extension there is nothing to rank: newest first, filters only (portable SQL). */
async function newest(db: Kysely<Database>, f: FtsFilters, limit: number, offset: number) {
  let base = db.selectFrom('torrents')
  if (f.minSize !== undefined) base = base.where('total_size', '>=', f.minSize)
  if (f.maxSize !== undefined) base = base.where('total_size', '<=', f.maxSize)
  if (f.seenSinceSeconds !== undefined) base = base.where('last_seen', '>=', f.seenSinceSeconds)
  if (f.aliveSinceSeconds !== undefined) base = base.where('last_alive_at', '>=', f.aliveSinceSeconds)
  const rows = await base
    .select(HIT_COLUMNS)
    .orderBy('last_seen', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute()
  const capped = base
    .select('id')
    .limit(TOTAL_CAP + 1)
    .as('c')
  const counted = await db
    .selectFrom(capped)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst()
  const n = Number(counted?.n ?? 0)
  return {
    total: Math.min(n, TOTAL_CAP),
    totalExact: n <= TOTAL_CAP,
    rows: rows.map((r) => ({ ...r, score: 0 })),
  }
}

type HitRow = Pick<Selectable<TorrentsTable>, (typeof HIT_COLUMNS)[number]> & { score: number }

function toHit(r: HitRow, matchedFiles: MatchedFile[]): SearchHit {
  return {
    infohashV1: r.infohash_v1 === null ? null : toHex(r.infohash_v1),
    infohashV2: r.infohash_v2 === null ? null : toHex(r.infohash_v2),
    name: r.name,
    totalSize: r.total_size,
    fileCount: r.file_count,
    firstSeen: fromSeconds(r.first_seen),
    lastSeen: fromSeconds(r.last_seen),
    lastAlive: r.last_alive_at === null ? null : fromSeconds(r.last_alive_at),
    peersSeen: r.peers_seen,
    score: r.score,
    matchedFiles,
  }
}
