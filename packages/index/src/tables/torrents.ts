import type { Generated, Insertable, Selectable } from 'kysely'

/**
 * One row per torrent whose metadata we hold. Timestamps are unix seconds.
 * `name` is the lossy UTF-8 text used for display and search; `name_raw` holds the original bytes only
 * when they are not valid UTF-8 (otherwise the raw bytes are exactly the UTF-8 of `name`), so nothing is
 * lost and valid names are not stored twice.
 */
export interface TorrentsTable {
  id: Generated<number>
  infohash_v1: Uint8Array | null
  infohash_v2: Uint8Array | null
  name: string
  name_raw: Uint8Array | null
  total_size: number
  piece_length: number | null
  file_count: number
  private: number
  first_seen: number
  last_seen: number
  seen_count: number
  metadata_fetched_at: number | null
  source: string
  /** When a get_peers last found peers for it (migration 004); null: never seen alive. */
  last_alive_at: number | null
  /** How many distinct peers that get_peers found. */
  peers_seen: number | null
}

export type TorrentRow = Selectable<TorrentsTable>
export type NewTorrentRow = Insertable<TorrentsTable>
/**
 * The columns ingest reads and writes: liveness is written only by recordLiveness
 * (write/liveness.ts), so ingest's statements leave it as it is.
 */
export type TorrentCoreRow = Omit<TorrentRow, 'last_alive_at' | 'peers_seen'>
