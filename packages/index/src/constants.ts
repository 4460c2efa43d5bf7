/** Sizes of the two infohash kinds: SHA-1 (BEP 3) and SHA-256 (BEP 52). */
export const INFOHASH_V1_BYTES = 20
export const INFOHASH_V2_BYTES = 32
/** BEP 52: a v2 pieces root is a SHA-256 merkle root. */
export const PIECES_ROOT_BYTES = 32

/** Default byte budget of the raw-metadata cache (compressed bytes on disk). */
export const DEFAULT_CACHE_BUDGET_BYTES = 256 * 1024 * 1024
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000

export const DEFAULT_SEARCH_LIMIT = 20
export const MAX_SEARCH_LIMIT = 500
/** Ranking considers at most this many of the newest matches (more when paging deeper); search/fts5.ts. */
export const RANK_WINDOW = 500
/** A word matching at least this many torrents is common: bm25 skips it (its IDF scan costs O(matches)). */
export const COMMON_AT = 1000
/** Filter-only listings count up to this; beyond it `totalExact` is false. Text searches count up to the window. */
export const TOTAL_CAP = 1000
/** Matched file names returned per search hit; the rest are counted, not listed. */
export const MAX_MATCHED_FILES = 10
/** Paths tokenized per torrent when looking for matched files; bounds the work on 2,000-file lists. */
export const MAX_FILE_CANDIDATES = 50
/** Caps on a single user query so a pasted novel cannot build a huge FTS expression. */
export const MAX_QUERY_CHARS = 512
export const MAX_QUERY_TERMS = 16
/** Query tokens shorter than this are matched exactly, not as prefixes: "1*" would merge huge doclists. */
export const MIN_PREFIX_TOKEN_CHARS = 3
/** The last query word is tried as a prefix only when the exact words match fewer torrents than this. */
export const PREFIX_FALLBACK_BELOW = 50

export const DEFAULT_EXPORT_BATCH = 500
/** One info dict is at most a few MB in practice; BEP 9 peers cap it similarly. */
export const MAX_RAW_INFO_BYTES = 16 * 1024 * 1024

export const SIGHTING_VIAS = ['get_peers', 'announce', 'sample', 'gossip'] as const

/** v2 file index: holders listed per file by default (the count is always complete) and at most. */
export const DEFAULT_FILE_HOLDERS = 50
export const MAX_FILE_HOLDERS = 500
/** searchFiles: files per answer by default and at most, and how many text-matched torrents it reads. */
export const DEFAULT_FILE_SEARCH_LIMIT = 20
export const MAX_FILE_SEARCH_LIMIT = 100
export const FILE_SEARCH_TORRENTS = 200
/** Largest page of metadataAfter and largest holdsKeys batch (far under SQLite's 32,766 bound variables). */
export const MAX_SYNC_PAGE = 5_000
/** Largest recordLiveness batch: one transaction a harvester flushes every few seconds. */
export const MAX_LIVENESS_BATCH = 5_000
