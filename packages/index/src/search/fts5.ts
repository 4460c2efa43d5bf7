import { sql } from 'kysely'
import type { Kysely, RawBuilder } from 'kysely'
import type BetterSqlite3 from 'better-sqlite3'
import type { Database } from '../database.js'
import { COMMON_AT, RANK_WINDOW } from '../constants.js'
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
export function matchExpression(
  phrases: readonly QueryPhrase[],
  extension?: string,
  columns = '{name paths}',
): string | undefined {
  const parts: string[] = []
  if (phrases.length > 0) {
    const terms = phrases.map((p) => quote(p.tokens) + (p.prefix ? '*' : ''))
    parts.push(`${columns} : (${terms.join(' AND ')})`)
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

export interface FtsRanked {
  total: number
  totalExact: boolean
  /** Torrent ids of the page, best first, with their scores (higher is better). */
  ids: { id: number; score: number }[]
}

/**
 * One page of matches, best first, at a cost bounded independently of the index size:
 * 1. candidates: the RANK_WINDOW most recently added matches (FTS5 walks doclists by rowid descending
 *    and stops), filters applied;
 * 2. scores: FTS5's bm25() first counts every row holding each phrase (its IDF), which for "1080p" is
 *    most of the index. So bm25 runs over the *rare* phrases only (fewer than COMMON_AT matches; a common
 *    phrase's IDF is near zero anyway) and is joined to the candidates. A query made only of common
 *    words ranks name hits above path-only hits, newest first.
 * Ranking is therefore exact bm25 whenever every word is rare, which is what distinguishing queries are.
 * Matches older than the window follow it, newest first (score 0). The total is counted up to the window
 * (or the page end when paging deeper) and is a lower bound beyond it.
 */
export async function ftsRank(
  db: Kysely<Database>,
  phrases: readonly QueryPhrase[],
  counts: readonly number[],
  ext: string | undefined,
  filters: FtsFilters,
  limit: number,
  offset: number,
): Promise<FtsRanked> {
  const full = matchExpression(phrases, ext)!
  const hasFilters =
    filters.minSize !== undefined || filters.maxSize !== undefined || filters.seenSinceSeconds !== undefined
  const join = hasFilters ? sql`cross join torrents t on t.id = torrent_fts.rowid` : sql``
  const window = RANK_WINDOW
  const newestMatches = (n: number, skip: number) =>
    sql<{ id: number }>`
    select torrent_fts.rowid as id from torrent_fts ${join}
    where torrent_fts match ${full} ${filterSql(filters)}
    order by torrent_fts.rowid desc limit ${n} offset ${skip}`.execute(db)
  const cands = await newestMatches(window, 0)
  const score = new Map<number, number>(cands.rows.map((r) => [r.id, 0]))
  const rare = phrases.filter((_, i) => counts[i]! < COMMON_AT)
  if (rare.length > 0) {
    const scored = await sql<{ id: number; rank: number }>`
      select rowid as id, ${BM25} as rank from torrent_fts where torrent_fts match ${matchExpression(rare)!}`.execute(
      db,
    )
    for (const r of scored.rows) if (score.has(r.id)) score.set(r.id, -r.rank || 0)
  } else if (phrases.length > 0) {
    const named = await sql<{ id: number }>`
      select rowid as id from torrent_fts where torrent_fts match ${matchExpression(phrases, ext, '{name}')!}
      order by rowid desc limit ${window}`.execute(db)
    for (const r of named.rows) if (score.has(r.id)) score.set(r.id, 1)
  }
  const ordered = [...score].sort((a, b) => b[1] - a[1] || b[0] - a[0])
  const ids = ordered.slice(offset, offset + limit).map(([id, s]) => ({ id, score: s }))
  if (cands.rows.length < window) return { total: cands.rows.length, totalExact: true, ids }
  // Pages past the ranked window continue with older matches, newest first, so paging is stable.
  if (ids.length < limit) {
    const more = await newestMatches(limit - ids.length, Math.max(offset, window))
    for (const r of more.rows) ids.push({ id: r.id, score: 0 })
  }
  const cap = Math.max(window, offset + limit)
  const n = await ftsCount(db, full, filters, cap + 1)
  return { total: Math.min(n, cap), totalExact: n <= cap, ids }
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
