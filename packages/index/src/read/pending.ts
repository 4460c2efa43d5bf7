import type { Kysely } from 'kysely'
import { fromSeconds } from '../codec/bytes.js'
import type { Database } from '../database.js'
import type { PendingSighting, SightingVia } from '../types.js'

/**
 * Infohashes sighted but still without metadata (a sighting row is deleted when its torrent is
 * ingested, so every row is pending), most-sighted first, then most recently seen: the order a
 * resumed crawl should retry them in. One sorted scan of the sightings table per call.
 */
export async function pendingSightings(db: Kysely<Database>, limit: number): Promise<PendingSighting[]> {
  const rows = await db
    .selectFrom('sightings')
    .selectAll()
    .orderBy('count', 'desc')
    .orderBy('last_seen', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    infohash: r.infohash,
    count: r.count,
    firstSeen: fromSeconds(r.first_seen),
    lastSeen: fromSeconds(r.last_seen),
    via: r.via as SightingVia,
    fromNode: r.from_node,
  }))
}
