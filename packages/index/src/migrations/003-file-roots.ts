import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { backfillFileRoots } from './backfill-file-roots.js'

// The v2 file-level index (src/tables/file-roots.ts). Frozen once released.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Keyed by root first: "which torrents hold this file" is a prefix seek. WITHOUT ROWID: the key is
  // the whole row but for the size, so a rowid table would store it twice (table and index).
  await db.schema
    .createTable('file_roots')
    .addColumn('pieces_root', 'blob', (c) => c.notNull())
    .addColumn('torrent_id', 'integer', (c) => c.notNull())
    .addColumn('file_index', 'integer', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('file_roots_pk', ['pieces_root', 'torrent_id', 'file_index'])
    .modifyEnd(sql`without rowid`)
    .execute()
  // Removal, hybrid merges and `dupes` find a torrent's rows by this.
  await db.schema.createIndex('file_roots_torrent').on('file_roots').column('torrent_id').execute()
  await backfillFileRoots(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('file_roots').execute()
}
