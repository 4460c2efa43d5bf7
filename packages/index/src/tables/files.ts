import type { Selectable } from 'kysely'

/**
 * One row per file of a torrent, keyed by (torrent_id, idx) in info-dict order (a WITHOUT ROWID table,
 * so the key is the storage order and there is no separate rowid index). `path` is the raw bytes of the
 * path components joined by '/'; display text is decoded lossily on read.
 */
export interface FilesTable {
  torrent_id: number
  idx: number
  path: Uint8Array
  size: number
  pieces_root: Uint8Array | null
}

export type FileRow = Selectable<FilesTable>
