// The metadata cache looked up by the 20-byte hash a peer or a DHT node uses: a v1 infohash, or a v2
// one truncated (BEP 52). The cache keys v1 and hybrid dicts by their v1 hash and v2-only dicts by all
// 32 bytes, so a truncated hash is found by a range scan over the key prefix (an index seek on both
// tables, not a table scan).
import type { Kysely } from 'kysely'
import type { Database } from '../database.js'

const range = (prefix: Uint8Array): [Buffer, Buffer] => [
  Buffer.concat([prefix, Buffer.alloc(12, 0)]),
  Buffer.concat([prefix, Buffer.alloc(12, 0xff)]),
]

type CacheGet = (infohash: Uint8Array) => Promise<Uint8Array | undefined>

export async function metadataByHash(
  db: Kysely<Database>,
  get: CacheGet,
  ih: Uint8Array,
): Promise<Uint8Array | undefined> {
  const v1 = await get(ih)
  if (v1 || ih.length !== 20) return v1
  const [lo, hi] = range(ih)
  const v2only = await db
    .selectFrom('metadata_cache')
    .select('infohash')
    .where('infohash', '>=', lo)
    .where('infohash', '<=', hi)
    .limit(1)
    .executeTakeFirst()
  if (v2only) return get(v2only.infohash)
  // A hybrid's dict is cached under its v1 hash; its torrents row links the two.
  const hybrid = await db
    .selectFrom('torrents')
    .select('infohash_v1')
    .where('infohash_v2', '>=', lo)
    .where('infohash_v2', '<=', hi)
    .where('infohash_v1', 'is not', null)
    .limit(1)
    .executeTakeFirst()
  return hybrid?.infohash_v1 ? get(hybrid.infohash_v1) : undefined
}
