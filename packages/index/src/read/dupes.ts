import type { Kysely } from 'kysely'
import { toHex } from '../codec/bytes.js'
import type { Database } from '../database.js'
import type { FileDupes, TorrentDupes } from '../types.js'
import { findTorrent } from './details.js'
import { holdersOf, pathReader, withPaths } from './file-roots.js'

/**
 * For each file of one torrent that has a pieces root, the other torrents holding that file (at most
 * `cap` listed per file, the count exact). Undefined when the torrent is not in the index; a v1-only
 * torrent has no rooted files and so an empty list.
 */
export async function dupesOf(
  db: Kysely<Database>,
  infohash: Uint8Array,
  cap: number,
): Promise<TorrentDupes | undefined> {
  const t = await findTorrent(db, infohash)
  if (t === undefined) return undefined
  const own = await db
    .selectFrom('file_roots')
    .select(['pieces_root', 'file_index', 'size'])
    .where('torrent_id', '=', t.id)
    .orderBy('file_index')
    .execute()
  // Another file of this same torrent with the same root is not a duplicate elsewhere: excluded.
  const others = await holdersOf(
    db,
    [...new Map(own.map((r) => [toHex(r.pieces_root), r.pieces_root])).values()],
    cap,
    t.id,
  )
  const ownPath = await pathReader(db, [t.id])
  const list = await withPaths(db, others.values())
  const files: FileDupes[] = own.map((r) => {
    const root = toHex(r.pieces_root)
    const h = others.get(root)
    return {
      fileIndex: Number(r.file_index),
      path: ownPath(t.id, Number(r.file_index)),
      size: Number(r.size),
      piecesRoot: root,
      otherCount: h?.count ?? 0,
      others: h === undefined ? [] : list(h),
    }
  })
  return {
    infohashV1: t.infohash_v1 === null ? null : toHex(t.infohash_v1),
    infohashV2: t.infohash_v2 === null ? null : toHex(t.infohash_v2),
    name: t.name,
    files,
  }
}
