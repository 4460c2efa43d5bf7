// The metadata cache paged in key order, for a member catching up from this one (bb_sync): keys after
// a cursor, with each dict's size so the asker can bound what it requests by bytes. An index seek on
// the primary key, one bounded page at a time, whatever the cache holds.
import type { Kysely } from 'kysely'
import type { Database } from '../database.js'

/** One cached info dict, as a page lists it. */
export interface MetadataKey {
  /** The cache key: a v1 infohash (20 bytes; v1 and hybrid dicts) or a v2 one (32 bytes; v2-only). */
  infohash: Uint8Array
  /** Size of the uncompressed info dict. */
  rawBytes: number
}

export async function metadataPage(
  db: Kysely<Database>,
  after: Uint8Array | undefined,
  limit: number,
): Promise<MetadataKey[]> {
  let q = db.selectFrom('metadata_cache').select(['infohash', 'raw_bytes']).orderBy('infohash').limit(limit)
  // Blob order is memcmp then length, on SQLite and on Postgres bytea alike, so the cursor is exact.
  if (after !== undefined && after.length > 0) q = q.where('infohash', '>', Buffer.from(after))
  const rows = await q.execute()
  return rows.map((r) => ({ infohash: new Uint8Array(r.infohash), rawBytes: Number(r.raw_bytes) }))
}
