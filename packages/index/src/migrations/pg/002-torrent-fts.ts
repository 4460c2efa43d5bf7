import { sql } from 'kysely'
import type { Kysely } from 'kysely'

// Postgres twin of ../002-torrent-fts.ts: one tsvector per torrent, built in JavaScript from the same
// tokenizer as the SQLite side (postgres/full-text.ts), under a GIN index. Frozen once released.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Weights carry FTS5's columns: A name, B paths, C file extensions (for the extension filter).
  await sql`create table torrent_fts (id bigint primary key, doc tsvector not null)`.execute(db)
  await sql`create index torrent_fts_doc on torrent_fts using gin (doc)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table torrent_fts`.execute(db)
}
