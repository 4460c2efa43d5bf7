import type { Selectable } from 'kysely'

/** Verified bencoded info dicts, deflate-compressed, evicted least-recently-used under a byte budget. */
export interface MetadataCacheTable {
  infohash: Uint8Array
  data: Uint8Array
  /** Uncompressed size of the info dict. */
  raw_bytes: number
  /** Compressed size; the budget counts these. */
  stored_bytes: number
  last_used: number
}

export type MetadataCacheRow = Selectable<MetadataCacheTable>
