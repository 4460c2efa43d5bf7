import type { Selectable } from 'kysely'

/**
 * Infohashes seen on the network before we have their metadata (20-byte v1 or 32-byte v2 keys).
 * A sighting is folded into its torrent row once the metadata is ingested.
 */
export interface SightingsTable {
  infohash: Uint8Array
  first_seen: number
  last_seen: number
  count: number
  /** How it was last seen: 'get_peers' | 'announce' | 'sample' | 'gossip'. */
  via: string
  /** The node that last told us about it, when known. */
  from_node: string | null
}

export type SightingRow = Selectable<SightingsTable>
