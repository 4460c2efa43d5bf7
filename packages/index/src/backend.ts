import type { FullText } from './search/full-text.js'
import type { SightingInput, TorrentInput } from './types.js'
import type { LivenessEntry } from './write/liveness-input.js'
import type { IngestResult } from './write/merge.js'
import type { RemoveOptions, RemoveResult } from './write/remove.js'

/**
 * What differs between storage engines behind one PooledIndex: SQLite (sqlite-backend.ts: one file,
 * synchronous better-sqlite3 writes) and Postgres (postgres/backend.ts: a pool, concurrent writers).
 * Reads that kysely expresses portably (get, export, stats, pending sightings) do not go through here.
 */
export interface IndexBackend {
  readonly writable: boolean
  readonly fullText: FullText
  ingest(torrents: readonly TorrentInput[]): Promise<IngestResult>
  recordSightings(s: readonly SightingInput[]): Promise<number>
  /** Checked entries (write/liveness-input.ts); returns how many matched a torrent. */
  recordLiveness(entries: readonly LivenessEntry[]): Promise<number>
  removeTorrents(infohashes: readonly Uint8Array[], opts: RemoveOptions | undefined): Promise<RemoveResult>
  has(infohash: Uint8Array): Promise<boolean>
  cachePut(infohash: Uint8Array, rawInfo: Uint8Array): Promise<void>
  cacheGet(infohash: Uint8Array, touch: boolean): Promise<Uint8Array | undefined>
  /** Bytes the index occupies on disk. */
  dbBytes(): Promise<number>
  /** The engine's own consistency check: an empty list when sound, else at most `maxErrors` findings. */
  integrityCheck(maxErrors: number): Promise<string[]>
}
