import { sql } from 'kysely'
import type { Kysely, RawBuilder } from 'kysely'
import type BetterSqlite3 from 'better-sqlite3'
import type { Database } from '../database.js'
import { fileExtension } from './tokenize.js'
import type { QueryPhrase } from './tokenize.js'
import { hasFilters } from './full-text.js'
import type { FtsFilters, FullText, MatchSpec } from './full-text.js'

// Everything that speaks FTS5 (SQLite-only) lives in this module; the rest of the package stays on
// kysely's dialect-neutral builder. The Postgres backend has its own (postgres/full-text.ts, tsvector and GIN).

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

function filterSql(f: FtsFilters): RawBuilder<unknown> {
  const conds: RawBuilder<unknown>[] = []
  if (f.minSize !== undefined) conds.push(sql`t.total_size >= ${f.minSize}`)
  if (f.maxSize !== undefined) conds.push(sql`t.total_size <= ${f.maxSize}`)
  if (f.seenSinceSeconds !== undefined) conds.push(sql`t.last_seen >= ${f.seenSinceSeconds}`)
  if (f.aliveSinceSeconds !== undefined) conds.push(sql`t.last_alive_at >= ${f.aliveSinceSeconds}`)
  return conds.length === 0 ? sql`` : sql`and ${sql.join(conds, sql` and `)}`
}

function specExpression(m: MatchSpec): string {
  return matchExpression(m.phrases, m.ext, m.nameOnly === true ? '{name}' : undefined)!
}

/**
 * FTS5 answers for the shared search algorithm (rank.ts). FTS5 walks a doclist by rowid descending
 * and stops at the limit, so "newest matches" costs the page, not the number of matches.
 */
export function sqliteFullText(db: Kysely<Database>): FullText {
  const join = (f: FtsFilters) =>
    hasFilters(f) ? sql`cross join torrents t on t.id = torrent_fts.rowid` : sql``
  return {
    async newest(m, f, limit, offset) {
      const r = await sql<{ id: number }>`
        select torrent_fts.rowid as id from torrent_fts ${join(f)}
        where torrent_fts match ${specExpression(m)} ${filterSql(f)}
        order by torrent_fts.rowid desc limit ${limit} offset ${offset}`.execute(db)
      return r.rows.map((x) => x.id)
    },
    async scores(m) {
      const r = await sql<{ id: number; rank: number }>`
        select rowid as id, ${BM25} as rank from torrent_fts where torrent_fts match ${specExpression(m)}`.execute(
        db,
      )
      return new Map(r.rows.map((x) => [x.id, -x.rank || 0]))
    },
    async count(m, f, cap) {
      const r = await sql<{ n: number }>`
        select count(*) as n from (
          select 1 from torrent_fts ${join(f)} where torrent_fts match ${specExpression(m)} ${filterSql(f)}
          limit ${cap}
        ) c`.execute(db)
      return r.rows[0]?.n ?? 0
    },
  }
}
