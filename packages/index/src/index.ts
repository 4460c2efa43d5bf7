export { openIndex } from './open.js'
export { PooledIndex } from './pooled-index.js'
export type { MetadataCache } from './pooled-index.js'
export type { MetadataKey } from './read/metadata-page.js'
export type { IngestResult } from './write/writer.js'
export type { RemoveOptions, RemoveResult } from './write/remove.js'
export { IndexError } from './errors.js'
export type { IndexErrorCode } from './errors.js'
export { migrateTo, migrations, pgMigrations, LATEST_MIGRATION } from './migrations/index.js'
export { toNdjsonLine, toNdjsonLineWithInfo, parseNdjsonLine } from './codec/ndjson.js'
export { tokenize, parseQueryText, countPhraseMatches } from './search/tokenize.js'
export type { QueryPhrase } from './search/tokenize.js'
export {
  SIGHTING_VIAS,
  DEFAULT_CACHE_BUDGET_BYTES,
  MAX_SEARCH_LIMIT,
  MAX_FILE_HOLDERS,
  MAX_FILE_SEARCH_LIMIT,
  MAX_SYNC_PAGE,
  MAX_LIVENESS_BATCH,
} from './constants.js'
export type { Database } from './database.js'
export type { TorrentsTable, TorrentRow } from './tables/torrents.js'
export type { FileListsTable, FileListRow } from './tables/file-lists.js'
export type { FileRootsTable, FileRootRow } from './tables/file-roots.js'
export { decodeFileList, encodeFileList } from './codec/file-list.js'
export type { FileEntry } from './codec/file-list.js'
export type { SightingsTable, SightingRow } from './tables/sightings.js'
export type { MetadataCacheTable, MetadataCacheRow } from './tables/metadata-cache.js'
export type {
  OpenIndexOptions,
  TorrentFileInput,
  TorrentInput,
  SightingInput,
  SightingVia,
  LivenessInput,
  PendingSighting,
  TorrentFile,
  TorrentDetail,
  SearchQuery,
  MatchedFile,
  SearchHit,
  SearchPage,
  IndexStats,
  FileHolder,
  SharedFile,
  FileDupes,
  TorrentDupes,
  FileLookupOptions,
  FileSearchQuery,
  FileSearchHit,
  FileSearchPage,
} from './types.js'
