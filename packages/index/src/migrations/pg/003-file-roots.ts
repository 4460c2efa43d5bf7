import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { backfillFileRoots } from '../backfill-file-roots.js'

// Postgres twin of ../003-file-roots.ts. Frozen once released.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table file_roots (
    pieces_root bytea not null,
    torrent_id bigint not null,
    file_index integer not null,
    size bigint not null,
    constraint file_roots_pk primary key (pieces_root, torrent_id, file_index)
  )`.execute(db)
  await sql`create index file_roots_torrent on file_roots (torrent_id)`.execute(db)
  await backfillFileRoots(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table file_roots`.execute(db)
}
