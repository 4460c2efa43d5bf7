import type { SIGHTING_VIAS } from './constants.js'

export interface OpenIndexOptions {
  /** A database file path, or ':memory:'. */
  path: string
  /** Byte budget of the raw-metadata cache (compressed bytes); least recently used entries are evicted. */
  cacheBudgetBytes?: number
  /** How long a writer waits for another process's lock before failing with INDEX_LOCKED. */
  busyTimeoutMs?: number
  /** Open without writing anything: no migration, no cache LRU updates; ingest fails. */
  readonly?: boolean
}

export interface TorrentFileInput {
  /** Path components joined by '/', as text or raw bytes (names need not be valid UTF-8). */
  path: string | Uint8Array
  size: number
  /** BEP 52 pieces root, 32 bytes, when known. */
  piecesRoot?: Uint8Array
}

export interface TorrentInput {
  infohashV1?: Uint8Array
  infohashV2?: Uint8Array
  name: string | Uint8Array
  /** Sum of the file sizes when absent. */
  totalSize?: number
  pieceLength?: number
  private?: boolean
  /** Every file in info-dict order; a single-file torrent has one entry whose path is its name. */
  files: TorrentFileInput[]
  /** Where the metadata came from, e.g. 'dht', 'import', 'gossip:<node>'. */
  source: string
  /** When it was seen (last seen); defaults to now. */
  seenAt?: Date
  /** When it was first seen, if earlier than seenAt (imports carry this); defaults to seenAt. */
  firstSeenAt?: Date
  /**
   * How many times it has been seen, when carried over from elsewhere (imports). Merged with max(), so
   * importing the same export twice changes nothing. When absent, each ingest counts one sighting.
   */
  seenCount?: number
  metadataFetchedAt?: Date
  /** The verified bencoded info dict; stored in the metadata cache under infohashV1 (else infohashV2). */
  rawInfo?: Uint8Array
}

export type SightingVia = (typeof SIGHTING_VIAS)[number]

export interface SightingInput {
  /** 20-byte v1 (or truncated v2) or 32-byte v2 infohash. */
  infohash: Uint8Array
  via: SightingVia
  fromNode?: string
  at?: Date
}

/** A swarm seen alive: a get_peers for `infohash` found `peers` distinct peers at `at` (PooledIndex.recordLiveness). */
export interface LivenessInput {
  /** 20-byte v1 (or truncated v2, the BEP 52 DHT key) or 32-byte v2 infohash. */
  infohash: Uint8Array
  /** Distinct peers found, >= 1 (an empty swarm is not a sign of life, so 0 is skipped). */
  peers: number
  /** Defaults to now. */
  at?: Date
}

/** An infohash sighted but not yet ingested (PooledIndex.pendingSightings). */
export interface PendingSighting {
  infohash: Uint8Array
  /** Times it was sighted. */
  count: number
  firstSeen: Date
  lastSeen: Date
  /** How it was last seen. */
  via: SightingVia
  fromNode: string | null
}

export interface TorrentFile {
  /** Lossy UTF-8 text of the path (U+FFFD replaces invalid bytes). */
  path: string
  pathRaw: Uint8Array
  size: number
  piecesRoot: Uint8Array | null
}

export interface TorrentDetail {
  infohashV1: string | null
  infohashV2: string | null
  /** Lossy UTF-8 text of the name. */
  name: string
  nameRaw: Uint8Array
  totalSize: number
  pieceLength: number | null
  fileCount: number
  private: boolean
  firstSeen: Date
  lastSeen: Date
  seenCount: number
  metadataFetchedAt: Date | null
  source: string
  /** When peers were last seen in its swarm (recordLiveness); null: never seen alive. */
  lastAlive: Date | null
  /** How many distinct peers the get_peers of lastAlive found. */
  peersSeen: number | null
  files: TorrentFile[]
}

export interface SearchQuery {
  /** What a person typed; FTS syntax characters are treated as word separators, never as syntax. */
  text: string
  minSize?: number
  maxSize?: number
  /** Only torrents holding at least one file with this extension ('mkv' or '.mkv'). */
  extension?: string
  seenSince?: Date
  /** Only torrents whose swarm was seen alive (recordLiveness) at or after this. */
  aliveSince?: Date
  /** Default 20, at most 500. */
  limit?: number
  offset?: number
}

export interface MatchedFile {
  path: string
  size: number
}

export interface SearchHit {
  infohashV1: string | null
  infohashV2: string | null
  name: string
  totalSize: number
  fileCount: number
  firstSeen: Date
  lastSeen: Date
  /** When peers were last seen in its swarm; null: never seen alive. */
  lastAlive: Date | null
  peersSeen: number | null
  /** Higher is better: negated bm25 over the rare words; 1 name / 0 path hit when all words are common; 0 past the ranking window or without text. */
  score: number
  /** Up to 10 files whose paths match the query (best first). */
  matchedFiles: MatchedFile[]
}

export interface SearchPage {
  /** Matching torrents: exact while totalExact, else a lower bound (text: 500 or the page end; no text: 1,000). */
  total: number
  totalExact: boolean
  hits: SearchHit[]
}

export interface IndexStats {
  torrents: number
  files: number
  /** Sum of the torrents' sizes in bytes. */
  totalSize: number
  /**
   * Infohashes sighted whose metadata has not arrived yet. A sighting row is folded into its torrent
   * when the metadata is ingested, so a harvest that fetched everything it saw leaves 0 here.
   */
  pendingMetadata: number
  /** @deprecated the same count as pendingMetadata, under the table's name; kept for scripts. */
  sightings: number
  /** The earliest first_seen and the latest last_seen over all torrents (null when empty). */
  oldestFirstSeen: Date | null
  newestLastSeen: Date | null
  /**
   * Torrents first seen in the last 24 hours: the index's growth over the last day (the index keeps
   * no separate insertion time; a torrent imported with an older first-seen date is not counted).
   */
  newLastDay: number
  cachedMetadata: number
  cacheBytes: number
  /** Size of the database file plus its WAL (0 for ':memory:' WAL). */
  dbBytes: number
  /** The v2 file index (file_roots): files of v2/hybrid torrents that carry a pieces root. */
  filesWithRoot: number
  /** Distinct pieces roots among them: how many different files that is. */
  distinctRoots: number
  /** Roots held by two or more torrents. */
  sharedRoots: number
  /** Bytes stored more than once: each root's size times (its copies - 1). */
  dedupBytes: number
}

/** A torrent holding a given file (v2 file index): which torrent, and where the file sits in it. */
export interface FileHolder {
  infohashV1: string | null
  infohashV2: string | null
  name: string
  /** The file's position in that torrent's file list (info-dict order). */
  fileIndex: number
  /** Its path in that torrent (lossy UTF-8). */
  path: string
}

/** One file, named by its BEP 52 pieces root, and the torrents holding it. */
export interface SharedFile {
  /** 64 hex characters. */
  piecesRoot: string
  size: number
  /** How many torrent files hold it; `torrents` lists at most `maxTorrents` of them, oldest torrent first. */
  torrentCount: number
  torrents: FileHolder[]
}

/** One file of a torrent with a pieces root, and the other torrents holding it (PooledIndex.dupes). */
export interface FileDupes {
  fileIndex: number
  path: string
  size: number
  piecesRoot: string
  /** How many files of other torrents have this root; `others` lists at most `maxTorrents`. */
  otherCount: number
  others: FileHolder[]
}

export interface TorrentDupes {
  infohashV1: string | null
  infohashV2: string | null
  name: string
  /** Every file of the torrent with a pieces root (v2 and hybrid torrents; padding left out), in list order. */
  files: FileDupes[]
}

export interface FileLookupOptions {
  /** Holders listed per file: default 50, at most 500 (the count is always complete). */
  maxTorrents?: number
}

export interface FileSearchQuery extends FileLookupOptions {
  /** What a person typed, matched against file paths as `search` does. */
  text: string
  /** Files returned: default 20, at most 100. */
  limit?: number
}

export interface FileSearchHit extends SharedFile {
  /** The path that matched, in the best-ranked torrent holding it. */
  path: string
}

export interface FileSearchPage {
  files: FileSearchHit[]
  /** Torrents whose files were looked at: the best FILE_SEARCH_TORRENTS text matches at most. */
  torrentsScanned: number
}
