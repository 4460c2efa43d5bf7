import { sql } from 'kysely'
import type { Kysely, RawBuilder } from 'kysely'
import type { Database } from '../database.js'
import type { FtsDocument } from '../search/fts5.js'
import { hasFilters } from '../search/full-text.js'
import type { FtsFilters, FullText, MatchSpec } from '../search/full-text.js'
import { tokenize } from '../search/tokenize.js'

// Postgres full text with FTS5's semantics. Postgres's own parser would read "24.04" as one version
// token and "h264-grp" as a hyphenated word, so the document and the query are tokenized by the same
// JavaScript tokenizer as the SQLite side (unicode61 remove_diacritics 2) and written as tsvector /
// tsquery literals, which Postgres stores as given (no parser, no dictionary, no stop words).
// FTS5's columns become weights: A name, B paths, C extensions.

/** Postgres limits (src/include/tsearch/ts_type.h): lexeme bytes, position value, positions per lexeme. */
const MAX_LEXEME_BYTES = 2046
const MAX_POS = 16383
const MAX_POSITIONS = 256
/** A tsvector is at most 1 MB; stop adding lexemes well before that (a path dump of 100k files). */
const MAX_DOC_BYTES = 900_000
/** Positions left empty between fields, so a phrase never runs from the name into the paths. */
const FIELD_GAP = 2

/** ts_rank weights {D, C, B, A}: like bm25(10, 1, 0) on SQLite, a name hit outranks path hits. */
const RANK_WEIGHTS = '{0, 0, 0.1, 1}'

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8')

/**
 * The tsvector literal of one torrent (the same document as FTS5 gets: ftsDocument). Extensions come
 * first so that their positions are never clamped onto a path token's (a clamped duplicate keeps the
 * higher weight, which would hide the extension). Positions past 16383 are clamped, so phrase matches
 * deep in a huge file list can be loose; lexemes past the size cap are not indexed.
 */
export function tsvectorLiteral(doc: FtsDocument): string {
  const lex = new Map<string, string[]>()
  let size = 0
  let pos = 1
  const add = (tokens: readonly string[], weight: string) => {
    for (const t of tokens) {
      const p = Math.min(pos++, MAX_POS)
      let list = lex.get(t)
      if (list === undefined) {
        const bytes = byteLength(t)
        if (bytes > MAX_LEXEME_BYTES || size + bytes > MAX_DOC_BYTES) continue
        size += bytes + 8
        list = []
        lex.set(t, list)
      }
      if (list.length < MAX_POSITIONS) {
        list.push(`${p}${weight}`)
        size += 2
      }
    }
    pos += FIELD_GAP
  }
  add(doc.exts === '' ? [] : doc.exts.split(' '), 'C')
  add(tokenize(doc.name), 'A')
  add(tokenize(doc.paths), 'B')
  // Tokens are letters and digits only, so they never need escaping inside the quotes.
  return [...lex].map(([t, ps]) => `'${t}':${ps.join(',')}`).join(' ')
}

/**
 * The tsquery literal for a match, or undefined when it cannot match anything (a token longer than
 * any lexeme Postgres stores). "ubuntu 24.04" over name and paths: 'ubuntu':AB & ('24':AB <-> '04':*AB).
 */
export function tsqueryLiteral(m: MatchSpec): string | undefined {
  const w = m.nameOnly === true ? 'A' : 'AB'
  const parts: string[] = []
  for (const p of m.phrases) {
    if (p.tokens.some((t) => byteLength(t) > MAX_LEXEME_BYTES)) return undefined
    const last = p.tokens.length - 1
    const terms = p.tokens.map((t, i) => `'${t}':${i === last && p.prefix ? '*' : ''}${w}`)
    parts.push(terms.length === 1 ? terms[0]! : `(${terms.join(' <-> ')})`)
  }
  if (m.ext !== undefined) {
    if (byteLength(m.ext) > MAX_LEXEME_BYTES) return undefined
    parts.push(`'${m.ext}':C`)
  }
  return parts.length === 0 ? undefined : parts.join(' & ')
}

function filterSql(f: FtsFilters): RawBuilder<unknown> {
  const conds: RawBuilder<unknown>[] = []
  if (f.minSize !== undefined) conds.push(sql`t.total_size >= ${f.minSize}`)
  if (f.maxSize !== undefined) conds.push(sql`t.total_size <= ${f.maxSize}`)
  if (f.seenSinceSeconds !== undefined) conds.push(sql`t.last_seen >= ${f.seenSinceSeconds}`)
  if (f.aliveSinceSeconds !== undefined) conds.push(sql`t.last_alive_at >= ${f.aliveSinceSeconds}`)
  return conds.length === 0 ? sql`` : sql`and ${sql.join(conds, sql` and `)}`
}

/** The Postgres answers for the shared search algorithm (search/rank.ts), over the GIN index. */
export function postgresFullText(db: Kysely<Database>): FullText {
  const join = (f: FtsFilters) => (hasFilters(f) ? sql`join torrents t on t.id = f.id` : sql``)
  return {
    async newest(m, f, limit, offset) {
      const q = tsqueryLiteral(m)
      if (q === undefined) return []
      const r = await sql<{ id: number }>`
        select f.id from torrent_fts f ${join(f)}
        where f.doc @@ ${q}::tsquery ${filterSql(f)}
        order by f.id desc limit ${limit} offset ${offset}`.execute(db)
      return r.rows.map((x) => x.id)
    },
    async scores(m) {
      const q = tsqueryLiteral(m)
      if (q === undefined) return new Map()
      const r = await sql<{ id: number; rank: number }>`
        select id, ts_rank(${RANK_WEIGHTS}::float4[], doc, ${q}::tsquery) as rank
        from torrent_fts where doc @@ ${q}::tsquery`.execute(db)
      return new Map(r.rows.map((x) => [x.id, x.rank]))
    },
    async count(m, f, cap) {
      const q = tsqueryLiteral(m)
      if (q === undefined) return 0
      const r = await sql<{ n: number }>`
        select count(*) as n from (
          select 1 from torrent_fts f ${join(f)} where f.doc @@ ${q}::tsquery ${filterSql(f)} limit ${cap}
        ) c`.execute(db)
      return r.rows[0]?.n ?? 0
    },
  }
}
