import { sql } from 'kysely'
import type { Kysely, RawBuilder } from 'kysely'
import type BetterSqlite3 from 'better-sqlite3'
import type { Database } from '../database.js'
import { RANK_WINDOW, TOTAL_CAP } from '../constants.js'
import { fileExtension } from './tokenize.js'
import type { QueryPhrase } from './tokenize.js'

// Everything that speaks FTS5 (SQLite-only) lives in this module; the rest of the package stays on
// kysely's dialect-neutral builder. A Postgres port replaces this file (tsvector/GIN) and migration 002.

/** bm25 column weights: (name, paths, exts). A name hit outranks any number of path-only hits. */
const BM25 = sql`bm25(torrent_fts, 10.0, 1.0, 0.0)`

export interface FtsDocument {
  name: string
  paths: string
  exts: string
}

/** The indexed text of one torrent, built from the lossy text of its name and file paths. */
export function ftsDocument(name: string, paths: readonly string[]): FtsDocument {
  const exts = new Set<string>()
  for (const p of paths) {
    const e = fileExtension(p)
    if (e !== undefined) exts.add(e)
  }
  // A single-file torrent's one path is usually its name: indexing it twice would only skew bm25.
  const onlyName = paths.length === 1 && paths[0] === name
  return { name, paths: onlyName ? '' : paths.join('\n'), exts: [...exts].join(' ') }
}

export interface FtsWriter {
  insert(id: number, doc: FtsDocument): void
  remove(id: number): void
}

/** Prepared statements for the write path (run inside the caller's transaction). */
export function prepareFtsWriter(raw: BetterSqlite3.Database): FtsWriter {
  const ins = raw.prepare('insert into torrent_fts (rowid, name, paths, exts) values (?, ?, ?, ?)')
  const del = raw.prepare('delete from torrent_fts where rowid = ?')
  return {
    insert: (id, d) => void ins.run(id, d.name, d.paths, d.exts),
    remove: (id) => void del.run(id),
  }
}

/** FTS5 string literal: every token is quoted, so user text can never be parsed as FTS syntax. */
function quote(tokens: readonly string[]): string {
  return `"${tokens.join(' ').replaceAll('"', '""')}"`
}

/**
 * The MATCH expression for typed phrases and an optional extension filter, or undefined when there is
 * nothing to match. Example: {name paths} : ("ubuntu"* AND "24 04") AND exts : "iso"
 */
export function matchExpression(phrases: readonly QueryPhrase[], extension?: string): string | undefined {
  const parts: string[] = []
  if (phrases.length > 0) {
    const terms = phrases.map((p) => quote(p.tokens) + (p.prefix ? '*' : ''))
    parts.push(`{name paths} : (${terms.join(' AND ')})`)
  }
  if (extension !== undefined) parts.push(`exts : ${quote([extension])}`)
  return parts.length > 0 ? parts.join(' AND ') : undefined
}

export interface FtsFilters {
  minSize?: number
  maxSize?: number
  seenSinceSeconds?: number
}

function filterSql(f: FtsFilters): RawBuilder<unknown> {
  const conds: RawBuilder<unknown>[] = []
  if (f.minSize !== undefined) conds.push(sql`t.total_size >= ${f.minSize}`)
  if (f.maxSize !== undefined) conds.push(sql`t.total_size <= ${f.maxSize}`)
  if (f.seenSinceSeconds !== undefined) conds.push(sql`t.last_seen >= ${f.seenSinceSeconds}`)
  return conds.length === 0 ? sql`` : sql`and ${sql.join(conds, sql` and `)}`
}

export interface FtsHitRow {
  id: number
  infohash_v1: Uint8Array | null
  infohash_v2: Uint8Array | null
  name: string
  total_size: number
  file_count: number
  first_seen: number
  last_seen: number
  rank: number
}

export interface FtsPage {
  total: number
  totalExact: boolean
  rows: FtsHitRow[]
}

/**
 * One page of matches ordered by bm25, plus the total. Both are bounded so a query matching most of a
 * million torrents ("1080p") costs about as much as a rare one:
 * - bm25 is computed for the RANK_WINDOW newest matches (FTS5 walks its doclists by rowid descending and
 *   stops), so ranking is exact whenever a query matches at most that many torrents;
 * - the total is counted up to TOTAL_CAP and reported as a lower bound beyond it.
 * CROSS JOIN pins the FTS index as the outer loop; otherwise the planner may walk torrents by a filter
 * index and probe FTS per row.
 */
export async function ftsSearch(
  db: Kysely<Database>,
  match: string,
  filters: FtsFilters,
  limit: number,
  offset: number,
): Promise<FtsPage> {
  const where = filterSql(filters)
  const hasFilters =
    filters.minSize !== undefined || filters.maxSize !== undefined || filters.seenSinceSeconds !== undefined
  const join = hasFilters ? sql`cross join torrents t on t.id = torrent_fts.rowid` : sql``
  const window = Math.max(RANK_WINDOW, offset + limit)
  // MATERIALIZED (SQLite >= 3.35) keeps the page's LIMIT before the join: only `limit` torrent rows are
  // read, not the whole window.
  const rows = await sql<FtsHitRow>`
    with w as materialized (
      select torrent_fts.rowid as id, ${BM25} as rank from torrent_fts ${join}
      where torrent_fts match ${match} ${where}
      order by torrent_fts.rowid desc limit ${window}
    ), page as materialized (
      select id, rank from w order by rank, id desc limit ${limit} offset ${offset}
    )
    select t.id, t.infohash_v1, t.infohash_v2, t.name, t.total_size, t.file_count, t.first_seen, t.last_seen,
      page.rank
    from page cross join torrents t on t.id = page.id
    order by page.rank, page.id desc`.execute(db)
  // A partly filled page already tells the total; counting walks the matches again.
  if (rows.rows.length > 0 && rows.rows.length < limit) {
    return { total: offset + rows.rows.length, totalExact: true, rows: rows.rows }
  }
  const n = await ftsCount(db, match, filters, TOTAL_CAP + 1)
  return { total: Math.min(n, TOTAL_CAP), totalExact: n <= TOTAL_CAP, rows: rows.rows }
}

/** How many torrents match, counting no further than `cap` (cheap: no ranking, stops early). */
export async function ftsCount(
  db: Kysely<Database>,
  match: string,
  filters: FtsFilters,
  cap: number,
): Promise<number> {
  const hasFilters =
    filters.minSize !== undefined || filters.maxSize !== undefined || filters.seenSinceSeconds !== undefined
  const join = hasFilters ? sql`cross join torrents t on t.id = torrent_fts.rowid` : sql``
  const counted = await sql<{ n: number }>`
    select count(*) as n from (
      select 1 from torrent_fts ${join} where torrent_fts match ${match} ${filterSql(filters)} limit ${cap}
    ) c`.execute(db)
  return counted.rows[0]?.n ?? 0
}
