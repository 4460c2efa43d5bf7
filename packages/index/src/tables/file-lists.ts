import type { Selectable } from 'kysely'

/**
 * A torrent's files (path bytes with components joined by '/', size, BEP 52 pieces root when known),
 * packed in info-dict order into one blob per torrent: see src/codec/file-list.ts for the layout and
 * why (about a third of the disk cost of a row per file).
 */
export interface FileListsTable {
  torrent_id: number
  data: Uint8Array
}

export type FileListRow = Selectable<FileListsTable>
