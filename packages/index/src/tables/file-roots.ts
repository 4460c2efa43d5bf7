import type { Selectable } from 'kysely'

/**
 * One row per (file, torrent holding it) for files that carry a BEP 52 pieces root (v2 and hybrid
 * torrents): the root names the file's content, so rows sharing a root are one file held by several
 * torrents. The path is not repeated here; `file_index` points into the torrent's packed file list
 * (src/codec/file-list.ts), which holds it. Padding files (BEP 47) never get rows.
 */
export interface FileRootsTable {
  /** SHA-256 merkle root of the file's 16 KiB blocks (BEP 52), 32 bytes. */
  pieces_root: Uint8Array
  torrent_id: number
  /** Position of the file in the torrent's file list (info-dict order). */
  file_index: number
  size: number
}

export type FileRootRow = Selectable<FileRootsTable>
