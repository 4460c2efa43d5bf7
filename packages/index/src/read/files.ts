import type { Kysely } from 'kysely'
import { decodeFileList } from '../codec/file-list.js'
import type { FileEntry } from '../codec/file-list.js'
import type { Database } from '../database.js'

/** The packed file-list blobs of the given torrents (torrents without files are absent). */
export async function fileListsOf(
  db: Kysely<Database>,
  ids: readonly number[],
): Promise<Map<number, Uint8Array>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('file_lists').selectAll().where('torrent_id', 'in', ids).execute()
  return new Map(rows.map((r) => [r.torrent_id, r.data]))
}

/** The decoded file lists of the given torrents (torrents without files are absent from the map). */
export async function filesOf(
  db: Kysely<Database>,
  ids: readonly number[],
): Promise<Map<number, FileEntry[]>> {
  const out = new Map<number, FileEntry[]>()
  if (ids.length === 0) return out
  const rows = await db.selectFrom('file_lists').selectAll().where('torrent_id', 'in', ids).execute()
  for (const r of rows) out.set(r.torrent_id, decodeFileList(r.data))
  return out
}
