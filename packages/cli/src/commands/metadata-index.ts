// The index's metadata cache as a BEP-9 source for `bbmesh metadata serve`: what to announce. Lookups
// by the 20-byte handshake hash (v1, or v2 truncated as BEP 52 does) are PooledIndex.metadataFor.
import type { PooledIndex } from '@bbmesh/index'

/** Every 20-byte hash the cache can be found under in the DHT: its keys (v2 truncated) and hybrids' v2. */
export async function cachedInfohashes(index: PooledIndex): Promise<Buffer[]> {
  const keys = await index.db.selectFrom('metadata_cache').select('infohash').execute()
  const hybrids = await index.db
    .selectFrom('torrents')
    .innerJoin('metadata_cache', 'metadata_cache.infohash', 'torrents.infohash_v1')
    .select('torrents.infohash_v2')
    .where('torrents.infohash_v2', 'is not', null)
    .execute()
  const out = keys.map((k) => Buffer.from(k.infohash).subarray(0, 20))
  for (const h of hybrids) if (h.infohash_v2) out.push(Buffer.from(h.infohash_v2).subarray(0, 20))
  return out
}
