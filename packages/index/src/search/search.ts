import type { Kysely } from 'kysely'
import { fromSeconds, toHex, toSeconds } from '../codec/bytes.js'
import { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, PREFIX_FALLBACK_BELOW, TOTAL_CAP } from '../constants.js'
import type { Database } from '../database.js'
import { IndexError } from '../errors.js'
import { fileListsOf } from '../read/files.js'
import type { MatchedFile, SearchHit, SearchPage, SearchQuery } from '../types.js'
import { ftsCount, ftsSearch, matchExpression } from './fts5.js'
import type { FtsFilters, FtsHitRow } from './fts5.js'
import { matchFilesInList } from './matched-files.js'
import { extensionToken, parseQueryText } from './tokenize.js'
import type { QueryPhrase } from './tokenize.js'

function optionalSize(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new IndexError('BAD_INPUT', `${what} must be >= 0`)
  return Math.floor(v)
}

export async function search(db: Kysely<Database>, q: SearchQuery): Promise<SearchPage> {
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
    seenSinceSeconds: q.seenSince === undefined ? undefined : toSeconds(q.seenSince),
  }
  const ext = q.extension === undefined ? undefined : extensionToken(q.extension)
  if (q.extension !== undefined && ext === undefined)
    throw new IndexError('BAD_INPUT', 'extension has no letters or digits')
  const phrases = await choosePrefix(db, parseQueryText(q.text), ext, filters)
  const match = matchExpression(phrases, ext)
  const page =
    match === undefined
      ? await newest(db, filters, limit, offset)
      : await ftsSearch(db, match, filters, limit, offset)
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
 * The last word is a prefix only while it looks unfinished: when the exact words match fewer than
 * PREFIX_FALLBACK_BELOW torrents. A finished common word ("the", "1080p") then never pays for merging
 * the doclists of every longer term, and the choice depends on the query alone, so pages stay stable.
 */
async function choosePrefix(
  db: Kysely<Database>,
  phrases: QueryPhrase[],
  ext: string | undefined,
  filters: FtsFilters,
): Promise<QueryPhrase[]> {
  const last = phrases.at(-1)
  if (last === undefined || !last.prefix) return phrases
  const exact = [...phrases.slice(0, -1), { ...last, prefix: false }]
  const n = await ftsCount(db, matchExpression(exact, ext)!, filters, PREFIX_FALLBACK_BELOW)
  return n >= PREFIX_FALLBACK_BELOW ? exact : phrases
}

/** With no words and no extension there is nothing to rank: newest first, filters only (portable SQL). */
async function newest(db: Kysely<Database>, f: FtsFilters, limit: number, offset: number) {
  let base = db.selectFrom('torrents')
  if (f.minSize !== undefined) base = base.where('total_size', '>=', f.minSize)
  if (f.maxSize !== undefined) base = base.where('total_size', '<=', f.maxSize)
  if (f.seenSinceSeconds !== undefined) base = base.where('last_seen', '>=', f.seenSinceSeconds)
  const rows = await base
    .select([
      'id',
      'infohash_v1',
      'infohash_v2',
      'name',
      'total_size',
      'file_count',
      'first_seen',
      'last_seen',
    ])
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
    rows: rows.map((r) => ({ ...r, rank: 0 })),
  }
}

function toHit(r: FtsHitRow, matchedFiles: MatchedFile[]): SearchHit {
  return {
    infohashV1: r.infohash_v1 === null ? null : toHex(r.infohash_v1),
    infohashV2: r.infohash_v2 === null ? null : toHex(r.infohash_v2),
    name: r.name,
    totalSize: r.total_size,
    fileCount: r.file_count,
    firstSeen: fromSeconds(r.first_seen),
    lastSeen: fromSeconds(r.last_seen),
    // bm25() is lower-is-better; expose higher-is-better. `|| 0` turns -0 into 0.
    score: -r.rank || 0,
    matchedFiles,
  }
}
