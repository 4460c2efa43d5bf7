import type pg from 'pg'
import type { TorrentCoreRow as TorrentRow } from '../tables/torrents.js'

// The write path's SQL on Postgres: the same statements as ../write/statements.ts with $n parameters.
// Each runs as a named (server-side prepared) statement on its connection: parsed and planned once
// per connection instead of once per torrent.

export const COLUMNS =
  'infohash_v1, infohash_v2, name, name_raw, total_size, piece_length, file_count, private, first_seen, ' +
  'last_seen, seen_count, metadata_fetched_at, source'

export const PG_SQL = {
  // FOR UPDATE: a hybrid's row is reachable under two advisory keys (v1 and v2), so two writers
  // holding different keys can read it at once; the row lock makes the second wait and re-read the
  // committed row instead of overwriting the first's merge with a stale one (a lost update seen in
  // CI: a hybrid's seen_count 2 where three writers had ingested it).
  byV1: `select id, ${COLUMNS} from torrents where infohash_v1 = $1 for update`,
  byV2: `select id, ${COLUMNS} from torrents where infohash_v2 = $1 for update`,
  // BEP 52: a v2-only swarm is found on the DHT under the first 20 bytes of its SHA-256 infohash.
  byV2Prefix: 'select id from torrents where infohash_v2 >= $1 and infohash_v2 <= $2 limit 1',
  byV1Source: 'select id, source from torrents where infohash_v1 = $1',
  byV2Source: 'select id, source from torrents where infohash_v2 = $1',
  has: 'select 1 from torrents where infohash_v1 = $1 or (infohash_v2 >= $2 and infohash_v2 <= $3) limit 1',
  hasV2: 'select 1 from torrents where infohash_v2 = $1 limit 1',
  insertTorrent: `insert into torrents (${COLUMNS})
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id`,
  updateTorrent: `update torrents set infohash_v1 = $1, infohash_v2 = $2, name = $3, name_raw = $4,
    total_size = $5, piece_length = $6, file_count = $7, private = $8, first_seen = $9, last_seen = $10,
    seen_count = $11, metadata_fetched_at = $12, source = $13 where id = $14`,
  touchTorrent:
    'update torrents set seen_count = seen_count + 1, last_seen = greatest(last_seen, $1) where id = $2',
  deleteTorrent: 'delete from torrents where id = $1',
  // As ../write/statements.ts: the merged-away half's newer liveness moves to the kept row.
  mergeLiveness: `update torrents as t set peers_seen = o.peers_seen, last_alive_at = o.last_alive_at
    from torrents as o where o.id = $1 and t.id = $2 and o.last_alive_at is not null
    and (t.last_alive_at is null or o.last_alive_at > t.last_alive_at)`,
  insertFiles: 'insert into file_lists (torrent_id, data) values ($1, $2)',
  deleteFiles: 'delete from file_lists where torrent_id = $1',
  moveFiles: 'update file_lists set torrent_id = $1 where torrent_id = $2',
  fileList: 'select data from file_lists where torrent_id = $1',
  // file_roots follows file_lists through every insert, move and delete (migration 003).
  insertRoots: `insert into file_roots (pieces_root, torrent_id, file_index, size)
    select * from unnest($1::bytea[], $2::bigint[], $3::int[], $4::bigint[]) on conflict do nothing`,
  deleteRoots: 'delete from file_roots where torrent_id = $1',
  moveRoots: 'update file_roots set torrent_id = $1 where torrent_id = $2',
  ftsInsert: 'insert into torrent_fts (id, doc) values ($1, $2::tsvector)',
  ftsDelete: 'delete from torrent_fts where id = $1',
  takeSighting: 'delete from sightings where infohash = $1 returning first_seen, count',
  // xmax = 0 only on a freshly inserted row: "never seen before" in the same statement as the upsert.
  upsertSighting: `insert into sightings (infohash, first_seen, last_seen, count, via, from_node)
    values ($1, $2, $2, 1, $3, $4)
    on conflict (infohash) do update set
      first_seen = least(sightings.first_seen, excluded.first_seen),
      last_seen = greatest(sightings.last_seen, excluded.last_seen),
      count = sightings.count + 1, via = excluded.via,
      from_node = coalesce(excluded.from_node, sightings.from_node)
    returning (xmax = 0) as fresh`,
  cacheUpsert: `insert into metadata_cache (infohash, data, raw_bytes, stored_bytes, last_used)
    values ($1, $2, $3, $4, $5)
    on conflict (infohash) do update set data = excluded.data, raw_bytes = excluded.raw_bytes,
      stored_bytes = excluded.stored_bytes, last_used = excluded.last_used`,
  cacheSizeOf: 'select stored_bytes from metadata_cache where infohash = $1',
  cacheTotal: 'select coalesce(sum(stored_bytes), 0) as n from metadata_cache',
  cacheGet: 'select data from metadata_cache where infohash = $1',
  cacheTouch: 'update metadata_cache set last_used = $1 where infohash = $2',
  // The oldest entries whose bytes cover the excess ($2), like the SQLite cache evicting one by one
  // until under budget. SKIP LOCKED: two writers evicting at once take different victims instead of
  // waiting on each other (or deadlocking over a row the other one just upserted).
  cacheEvict: `delete from metadata_cache where infohash in (
      select infohash from (
        select infohash, stored_bytes, sum(stored_bytes) over (order by last_used, infohash) as upto
        from (
          select infohash, stored_bytes, last_used from metadata_cache where infohash <> $1
          order by last_used, infohash limit 64 for update skip locked
        ) oldest
      ) v where upto - stored_bytes < $2)
    returning stored_bytes`,
} as const

export type PgStatement = keyof typeof PG_SQL

/** Runs one of the statements above, prepared once per connection under its own name. */
export async function run<R extends pg.QueryResultRow>(
  c: pg.ClientBase | pg.Pool,
  name: PgStatement,
  values: unknown[],
): Promise<R[]> {
  const r = await c.query<R>({ name: `bbmesh-${name}`, text: PG_SQL[name], values })
  return r.rows
}

/** pg sends Buffers as bytea; a plain Uint8Array view is wrapped without copying. */
export function bytea(b: Uint8Array): Buffer
export function bytea(b: Uint8Array | null): Buffer | null
export function bytea(b: Uint8Array | null): Buffer | null {
  if (b === null) return null
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
}

export function rowValues(r: Omit<TorrentRow, 'id'>): unknown[] {
  return [
    bytea(r.infohash_v1),
    bytea(r.infohash_v2),
    r.name,
    bytea(r.name_raw),
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
