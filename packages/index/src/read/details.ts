import type { Kysely } from 'kysely'
import type { Database } from '../database.js'
import { fromSeconds, lossyText, plainBytes, toHex, utf8Bytes } from '../codec/bytes.js'
import { INFOHASH_V1_BYTES, INFOHASH_V2_BYTES } from '../constants.js'
import type { FileEntry } from '../codec/file-list.js'
import { filesOf } from './files.js'
import type { TorrentRow } from '../tables/torrents.js'
import type { TorrentDetail, TorrentFile } from '../types.js'

/** A kysely filter matching a torrent by a 20-byte v1 (or truncated v2) or 32-byte v2 infohash. */
function byInfohash(db: Kysely<Database>, ih: Uint8Array) {
  const q = db.selectFrom('torrents')
  if (ih.length === INFOHASH_V2_BYTES) return q.where('infohash_v2', '=', ih)
  // BEP 52: v2-only swarms appear on the DHT under the first 20 bytes of their v2 infohash.
  const lo = new Uint8Array(INFOHASH_V2_BYTES)
  const hi = new Uint8Array(INFOHASH_V2_BYTES).fill(0xff)
  lo.set(ih.subarray(0, INFOHASH_V1_BYTES))
  hi.set(ih.subarray(0, INFOHASH_V1_BYTES))
  return q.where((eb) =>
    eb.or([eb('infohash_v1', '=', ih), eb.and([eb('infohash_v2', '>=', lo), eb('infohash_v2', '<=', hi)])]),
  )
}

export async function findTorrent(db: Kysely<Database>, ih: Uint8Array): Promise<TorrentRow | undefined> {
  // Prefer the exact v1 match over a truncated-v2 one if (improbably) both exist.
  const rows = await byInfohash(db, ih).selectAll().limit(2).execute()
  return rows.find((r) => r.infohash_v1 !== null && Buffer.compare(r.infohash_v1, ih) === 0) ?? rows[0]
}

export function toFile(r: FileEntry): TorrentFile {
  const pathRaw = r.path
  return {
    path: lossyText(pathRaw),
    pathRaw,
    size: r.size,
    piecesRoot: r.piecesRoot,
  }
}

export function toDetail(r: TorrentRow, files: readonly FileEntry[]): TorrentDetail {
  return {
    infohashV1: r.infohash_v1 === null ? null : toHex(r.infohash_v1),
    infohashV2: r.infohash_v2 === null ? null : toHex(r.infohash_v2),
    name: r.name,
    nameRaw: r.name_raw === null ? utf8Bytes(r.name) : plainBytes(r.name_raw),
    totalSize: r.total_size,
    pieceLength: r.piece_length,
    fileCount: r.file_count,
    private: r.private !== 0,
    firstSeen: fromSeconds(r.first_seen),
    lastSeen: fromSeconds(r.last_seen),
    seenCount: r.seen_count,
    metadataFetchedAt: r.metadata_fetched_at === null ? null : fromSeconds(r.metadata_fetched_at),
    source: r.source,
    lastAlive: r.last_alive_at === null ? null : fromSeconds(r.last_alive_at),
    peersSeen: r.peers_seen,
    files: files.map(toFile),
  }
}

/** Streams every torrent in id order, `batchSize` torrents (and their files) per query. */
export async function* exportTorrents(
  db: Kysely<Database>,
  batchSize: number,
): AsyncGenerator<TorrentDetail> {
  let after = 0
  for (;;) {
    const rows = await db
      .selectFrom('torrents')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(batchSize)
      .execute()
    if (rows.length === 0) return
    const files = await filesOf(
      db,
      rows.map((r) => r.id),
    )
    for (const r of rows) yield toDetail(r, files.get(r.id) ?? [])
    after = rows.at(-1)!.id
  }
}
