import type { FileEntry } from '../codec/file-list.js'

// Which of a torrent's files get a row in file_roots, shared by both writers and the migration's
// backfill so that ingest and backfill agree on every row.

export interface FileRootEntry {
  index: number
  root: Uint8Array
  size: number
}

const utf8 = new TextDecoder('utf-8', { fatal: false })

/**
 * BEP 47 padding files align the next file to a piece boundary in hybrid torrents; by convention
 * they live under `.pad/`. They carry no pieces root in v2 (the file tree has none), but a client
 * that wrote one must not make every torrent padded alike look like a shared file.
 */
export function isPaddingPath(path: Uint8Array): boolean {
  const p = utf8.decode(path)
  return p === '.pad' || p.startsWith('.pad/') || p.includes('/.pad/')
}

/** The files with a pieces root, padding files left out, in list order. */
export function rootedFiles(
  files: readonly Pick<FileEntry, 'path' | 'size' | 'piecesRoot'>[],
): FileRootEntry[] {
  const out: FileRootEntry[] = []
  files.forEach((f, index) => {
    if (f.piecesRoot !== null && !isPaddingPath(f.path)) out.push({ index, root: f.piecesRoot, size: f.size })
  })
  return out
}
