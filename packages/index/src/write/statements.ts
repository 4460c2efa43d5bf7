import type BetterSqlite3 from 'better-sqlite3'
import type { TorrentCoreRow as TorrentRow } from '../tables/torrents.js'

// The hot write path runs on prepared better-sqlite3 statements rather than kysely: kysely's SQLite
// driver prepares every statement again on each call, which costs more than the insert itself when a
// million torrents bring twenty million file rows. The SQL stays plain and portable except where noted.

/** A whole torrents row as the prepared statements read it (the table's own row type). */
export type TorrentRowFull = TorrentRow

const COLUMNS =
  'infohash_v1, infohash_v2, name, name_raw, total_size, piece_length, file_count, private, first_seen, ' +
  'last_seen, seen_count, metadata_fetched_at, source'

const SQL = {
  byV1: `select id, ${COLUMNS} from torrents where infohash_v1 = ?`,
  byV2: `select id, ${COLUMNS} from torrents where infohash_v2 = ?`,
  // BEP 52: a v2-only swarm is found on the DHT under the first 20 bytes of its SHA-256 infohash.
  byV2Prefix: `select id from torrents where infohash_v2 >= ? and infohash_v2 <= ? limit 1`,
  insertTorrent: `insert into torrents (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  updateTorrent: `update torrents set infohash_v1 = ?, infohash_v2 = ?, name = ?, name_raw = ?, total_size = ?,
         piece_length = ?, file_count = ?, private = ?, first_seen = ?, last_seen = ?, seen_count = ?,
         metadata_fetched_at = ?, source = ? where id = ?`,
  touchTorrent: `update torrents set seen_count = seen_count + 1,
         last_seen = case when last_seen < ? then ? else last_seen end where id = ?`,
  deleteTorrent: 'delete from torrents where id = ?',
  // A hybrid's halves merging: the row that goes away hands over its swarm liveness when newer
  // (migration 004; ingest's other statements leave those columns alone). SQLite >= 3.33: UPDATE FROM.
  mergeLiveness: `update torrents as t set peers_seen = o.peers_seen, last_alive_at = o.last_alive_at
       from torrents as o where o.id = ? and t.id = ? and o.last_alive_at is not null
       and (t.last_alive_at is null or o.last_alive_at > t.last_alive_at)`,
  insertFiles: 'insert into file_lists (torrent_id, data) values (?, ?)',
  deleteFiles: 'delete from file_lists where torrent_id = ?',
  moveFiles: 'update file_lists set torrent_id = ? where torrent_id = ?',
  fileList: 'select data from file_lists where torrent_id = ?',
  // file_roots follows file_lists through every insert, move and delete (migration 003).
  insertRoot: `insert into file_roots (pieces_root, torrent_id, file_index, size) values (?, ?, ?, ?)
       on conflict do nothing`,
  deleteRoots: 'delete from file_roots where torrent_id = ?',
  moveRoots: 'update file_roots set torrent_id = ? where torrent_id = ?',
  // RETURNING: SQLite >= 3.35 and Postgres both have it.
  takeSighting: 'delete from sightings where infohash = ? returning first_seen, count',
  hasSighting: 'select 1 from sightings where infohash = ?',
  upsertSighting: `insert into sightings (infohash, first_seen, last_seen, count, via, from_node) values (?, ?, ?, 1, ?, ?)
       on conflict (infohash) do update set
         first_seen = case when excluded.first_seen < sightings.first_seen then excluded.first_seen
           else sightings.first_seen end,
         last_seen = case when excluded.last_seen > sightings.last_seen then excluded.last_seen
           else sightings.last_seen end,
         count = sightings.count + 1, via = excluded.via,
         from_node = coalesce(excluded.from_node, sightings.from_node)`,
} as const

export type WriteStatements = { -readonly [K in keyof typeof SQL]: BetterSqlite3.Statement }

export function prepareWriteStatements(raw: BetterSqlite3.Database): WriteStatements {
  const out: Partial<WriteStatements> = {}
  for (const key of Object.keys(SQL) as (keyof typeof SQL)[]) out[key] = raw.prepare(SQL[key])
  return out as WriteStatements
}

/** Bounds of all 32-byte keys starting with a 20-byte prefix, for the range lookup above. */
export function v2PrefixRange(prefix: Uint8Array): [Uint8Array, Uint8Array] {
  const lo = new Uint8Array(32)
  const hi = new Uint8Array(32).fill(0xff)
  lo.set(prefix)
  hi.set(prefix)
  return [lo, hi]
}

export function rowParams(r: Omit<TorrentRowFull, 'id'>): unknown[] {
  return [
    r.infohash_v1,
    r.infohash_v2,
    r.name,
    r.name_raw,
    r.total_size,
    r.piece_length,
    r.file_count,
    r.private,
    r.first_seen,
    r.last_seen,
    r.seen_count,
    r.metadata_fetched_at,
    r.source,
  ]
}
