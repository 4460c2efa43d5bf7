import { sql } from 'kysely'
import type { Kysely } from 'kysely'

// Frozen once released: later schema changes get a new numbered migration.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('torrents')
    // INTEGER PRIMARY KEY aliases the rowid: small varint ids that files and the FTS rows point at.
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('infohash_v1', 'blob')
    .addColumn('infohash_v2', 'blob')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_raw', 'blob')
    .addColumn('total_size', 'integer', (c) => c.notNull())
    .addColumn('piece_length', 'integer')
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('private', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_seen', 'integer', (c) => c.notNull())
    .addColumn('last_seen', 'integer', (c) => c.notNull())
    .addColumn('seen_count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('metadata_fetched_at', 'integer')
    .addColumn('source', 'text', (c) => c.notNull())
    .addCheckConstraint('torrents_has_infohash', sql`infohash_v1 is not null or infohash_v2 is not null`)
    .execute()
  // Unique each; NULLs do not collide, so v1-only and v2-only torrents coexist.
  await db.schema.createIndex('torrents_infohash_v1').unique().on('torrents').column('infohash_v1').execute()
  await db.schema.createIndex('torrents_infohash_v2').unique().on('torrents').column('infohash_v2').execute()
  // Filter-only listings ("newest first", seen since) walk this index.
  await db.schema.createIndex('torrents_last_seen').on('torrents').column('last_seen').execute()

  // One packed, deflated blob per torrent (src/codec/file-list.ts): a row per file cost three times the
  // disk at ~20 files per torrent. The key aliases the rowid, so there is no extra index.
  await db.schema
    .createTable('file_lists')
    .addColumn('torrent_id', 'integer', (c) => c.primaryKey())
    .addColumn('data', 'blob', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('sightings')
    .addColumn('infohash', 'blob', (c) => c.primaryKey())
    .addColumn('first_seen', 'integer', (c) => c.notNull())
    .addColumn('last_seen', 'integer', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('from_node', 'text')
    .modifyEnd(sql`without rowid`)
    .execute()

  // A rowid table on purpose: rows carry blobs of kilobytes, which WITHOUT ROWID tables handle badly.
  await db.schema
    .createTable('metadata_cache')
    .addColumn('infohash', 'blob', (c) => c.primaryKey())
    .addColumn('data', 'blob', (c) => c.notNull())
    .addColumn('raw_bytes', 'integer', (c) => c.notNull())
    .addColumn('stored_bytes', 'integer', (c) => c.notNull())
    .addColumn('last_used', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('metadata_cache_last_used').on('metadata_cache').column('last_used').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('metadata_cache').execute()
  await db.schema.dropTable('sightings').execute()
  await db.schema.dropTable('file_lists').execute()
  await db.schema.dropTable('torrents').execute()
}
