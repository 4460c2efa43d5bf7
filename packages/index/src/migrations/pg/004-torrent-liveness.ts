import { sql } from 'kysely'
import type { Kysely } from 'kysely'

// Postgres twin of ../004-torrent-liveness.ts (bigint seconds like the other timestamps). Frozen once released.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table torrents add column last_alive_at bigint, add column peers_seen integer`.execute(db)
  await sql`create index torrents_last_alive on torrents (last_alive_at) where last_alive_at is not null`.execute(
    db,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index torrents_last_alive`.execute(db)
  await sql`alter table torrents drop column peers_seen, drop column last_alive_at`.execute(db)
}
