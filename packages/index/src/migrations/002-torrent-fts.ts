import { sql } from 'kysely'
import type { Kysely } from 'kysely'

// SQLite-only (FTS5). Frozen once released; runtime FTS queries live in src/search/fts5.ts.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Contentless (content=''): the text lives in torrents/files already, the index stores only tokens,
  // which halves the disk cost. contentless_delete=1 (SQLite >= 3.43) lets a torrent's row be replaced.
  // unicode61 already splits on every character that is not a letter, digit or private-use code point,
  // so '.', '-', '_', brackets and '/' all separate words: "ubuntu-24.04.1" -> ubuntu 24 04 1.
  // Columns: name (weighted high by bm25), paths (every file path), exts (file extensions, for filters).
  await sql`create virtual table torrent_fts using fts5(
    name, paths, exts,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
  )`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table torrent_fts`.execute(db)
}
