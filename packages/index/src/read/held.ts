// Which of many cache keys the index holds a torrent for, in two queries instead of one per key: a
// member catching up checks each page of another member's holdings before asking for any dict.
import type { Kysely } from 'kysely'
import { INFOHASH_V1_BYTES, INFOHASH_V2_BYTES } from '../constants.js'
import type { Database } from '../database.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/**
 * For each key, whether a torrent row has it: a 20-byte key as its v1 infohash, a 32-byte one as its
 * v2 infohash (metadata cache keys: v1 and hybrid dicts under v1, v2-only dicts under all 32 bytes).
 */
export async function heldKeys(db: Kysely<Database>, keys: readonly Uint8Array[]): Promise<boolean[]> {
  const v1 = keys.filter((k) => k.length === INFOHASH_V1_BYTES).map((k) => Buffer.from(k))
  const v2 = keys.filter((k) => k.length === INFOHASH_V2_BYTES).map((k) => Buffer.from(k))
  const found = new Set<string>()
  if (v1.length > 0) {
    const rows = await db
      .selectFrom('torrents')
      .select('infohash_v1')
      .where('infohash_v1', 'in', v1)
      .execute()
    for (const r of rows) if (r.infohash_v1) found.add(hex(r.infohash_v1))
  }
  if (v2.length > 0) {
    const rows = await db
      .selectFrom('torrents')
      .select('infohash_v2')
      .where('infohash_v2', 'in', v2)
      .execute()
    for (const r of rows) if (r.infohash_v2) found.add(hex(r.infohash_v2))
  }
  return keys.map((k) => found.has(hex(k)))
}
