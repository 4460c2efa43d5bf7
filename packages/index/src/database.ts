import type { FileListsTable } from './tables/file-lists.js'
import type { FileRootsTable } from './tables/file-roots.js'
import type { MetadataCacheTable } from './tables/metadata-cache.js'
import type { SightingsTable } from './tables/sightings.js'
import type { TorrentsTable } from './tables/torrents.js'

/**
 * The kysely schema of the index. The full-text table `torrent_fts` is SQLite-only and is reached
 * through src/search/fts5.ts, never through this type.
 */
export interface Database {
  torrents: TorrentsTable
  file_lists: FileListsTable
  file_roots: FileRootsTable
  sightings: SightingsTable
  metadata_cache: MetadataCacheTable
}
