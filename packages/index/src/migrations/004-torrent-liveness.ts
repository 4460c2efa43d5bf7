import { sql } from 'kysely'
import type { Kysely } from 'kysely'

// Swarm liveness (tracker issue 13): when peers were last seen for a torrent and how many distinct
// peers that get_peers found (src/write/liveness.ts). Both null until a harvester records a swarm.
// Frozen once released.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table torrents add column last_alive_at integer`.execute(db)
  await sql`alter table torrents add column peers_seen integer`.execute(db)
  // Partial: most torrents are never seen alive, and only `aliveSince` searches read this.
  await sql`create index torrents_last_alive on torrents (last_alive_at) where last_alive_at is not null`.execute(
    db,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index torrents_last_alive`.execute(db)
  // SQLite >= 3.35 drops columns.
  await sql`alter table torrents drop column peers_seen`.execute(db)
  await sql`alter table torrents drop column last_alive_at`.execute(db)
}
