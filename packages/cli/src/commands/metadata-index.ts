// The index's metadata cache as a BEP-9 source for `bbmesh metadata serve`. Peers handshake with a
// 20-byte hash: a v1 infohash, or a v2 one truncated (BEP 52). The cache keys v1 and hybrid dicts by
// their v1 hash and v2-only dicts by all 32 bytes, so a truncated hash is found by a range scan over
// the key prefix (an index seek on both tables, not a table scan).
import type { PooledIndex } from '@bbmesh/index'

const range = (prefix: Uint8Array): [Buffer, Buffer] => [
  Buffer.concat([prefix, Buffer.alloc(12, 0)]),
  Buffer.concat([prefix, Buffer.alloc(12, 0xff)]),
]

/** The raw info dict for a 20-byte handshake hash, or undefined. Verified by the MetadataServer. */
export async function indexLookup(index: PooledIndex, ih: Uint8Array): Promise<Uint8Array | undefined> {
  const v1 = await index.metadataCache.get(ih)
  if (v1) return v1
  const [lo, hi] = range(ih)
  const v2only = await index.db
    .selectFrom('metadata_cache')
    .select('infohash')
    .where('infohash', '>=', lo)
    .where('infohash', '<=', hi)
    .limit(1)
    .executeTakeFirst()
  if (v2only) return index.metadataCache.get(v2only.infohash)
  // A hybrid's dict is cached under its v1 hash; its torrents row links the two.
  const hybrid = await index.db
    .selectFrom('torrents')
    .select('infohash_v1')
    .where('infohash_v2', '>=', lo)
    .where('infohash_v2', '<=', hi)
    .where('infohash_v1', 'is not', null)
    .limit(1)
    .executeTakeFirst()
  return hybrid?.infohash_v1 ? index.metadataCache.get(hybrid.infohash_v1) : undefined
}

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
