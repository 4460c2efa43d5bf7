import { deflateRawSync } from 'node:zlib'
import type pg from 'pg'
import { INFOHASH_V1_BYTES } from '../constants.js'
import { encodeFileList } from '../codec/file-list.js'
import { ftsDocument } from '../search/fts5.js'
import type { TorrentCoreRow as TorrentRow } from '../tables/torrents.js'
import { foldInto, newRow } from '../write/merge.js'
import type { Folded } from '../write/merge.js'
import type { NormalizedTorrent } from '../write/validate.js'
import { tsvectorLiteral } from './full-text.js'
import { rootedFiles } from '../write/file-roots.js'
import { bytea, COLUMNS, run } from './statements.js'

// A batch in a constant number of statements instead of several per torrent: each statement is a
// round trip to the server, and on a busy machine each costs milliseconds of scheduling. What needs
// the per-torrent merge rules (an infohash already stored, or two torrents of the batch sharing one)
// is left to the sequential path in writer.ts, in batch order, after this.

const hexOf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

export interface BatchPlan {
  /** Torrents that create a row and touch no other torrent of the batch or of the index. */
  fresh: NormalizedTorrent[]
  /** The rest, in batch order. */
  rest: NormalizedTorrent[]
  /** Sightings taken for the batch, each handed to the first torrent (in batch order) holding its key. */
  folded: Map<NormalizedTorrent, Folded>
}

function foldKeys(t: NormalizedTorrent): Uint8Array[] {
  const out = [t.ih1, t.ih2, t.ih2?.subarray(0, INFOHASH_V1_BYTES)]
  return out.filter((k): k is Uint8Array => k !== null && k !== undefined)
}

/** Reads what the batch's infohashes already match (2 statements) and splits the batch. */
export async function planBatch(
  c: pg.ClientBase,
  torrents: readonly NormalizedTorrent[],
): Promise<BatchPlan> {
  const v1 = torrents.flatMap((t) => (t.ih1 === null ? [] : [bytea(t.ih1)]))
  const v2 = torrents.flatMap((t) => (t.ih2 === null ? [] : [bytea(t.ih2)]))
  const existing = await c.query<{ infohash_v1: Buffer | null; infohash_v2: Buffer | null }>(
    'select infohash_v1, infohash_v2 from torrents where infohash_v1 = any($1::bytea[]) or infohash_v2 = any($2::bytea[])',
    [v1, v2],
  )
  const stored = new Set<string>()
  for (const r of existing.rows) {
    if (r.infohash_v1 !== null) stored.add(hexOf(r.infohash_v1))
    if (r.infohash_v2 !== null) stored.add(hexOf(r.infohash_v2))
  }
  const uses = new Map<string, number>()
  for (const t of torrents)
    for (const k of [t.ih1, t.ih2]) if (k !== null) uses.set(hexOf(k), (uses.get(hexOf(k)) ?? 0) + 1)
  const fresh: NormalizedTorrent[] = []
  const rest: NormalizedTorrent[] = []
  for (const t of torrents) {
    const keys = [t.ih1, t.ih2].flatMap((k) => (k === null ? [] : [hexOf(k)]))
    if (keys.every((k) => !stored.has(k) && uses.get(k) === 1)) fresh.push(t)
    else rest.push(t)
  }
  const taken = await c.query<{ infohash: Buffer; first_seen: number; count: number }>(
    'delete from sightings where infohash = any($1::bytea[]) returning infohash, first_seen, count',
    [torrents.flatMap((t) => foldKeys(t).map((k) => bytea(k)))],
  )
  const byKey = new Map(taken.rows.map((r) => [hexOf(r.infohash), r]))
  const folded = new Map<NormalizedTorrent, Folded>()
  for (const t of torrents) {
    const f: Folded = { first: Number.MAX_SAFE_INTEGER, count: 0 }
    for (const k of foldKeys(t)) {
      const h = hexOf(k)
      foldInto(f, byKey.get(h))
      byKey.delete(h)
    }
    folded.set(t, f)
  }
  return { fresh, rest, folded }
}

/** Inserts the fresh torrents, their file lists, file roots and search documents: 5 statements for any number. */
export async function insertFresh(c: pg.ClientBase, plan: BatchPlan): Promise<void> {
  const n = plan.fresh.length
  if (n === 0) return
  const ids = await c.query<{ id: number }>(
    "select nextval(pg_get_serial_sequence('torrents', 'id')) as id from generate_series(1, $1)",
    [n],
  )
  const rows: (Omit<TorrentRow, 'id'> & { id: number })[] = plan.fresh.map((t, i) => ({
    id: ids.rows[i]!.id,
    ...newRow(t, plan.folded.get(t)!),
  }))
  const col = <K extends keyof TorrentRow>(k: K) => rows.map((r) => r[k])
  const bin = (k: 'infohash_v1' | 'infohash_v2' | 'name_raw') => rows.map((r) => bytea(r[k]))
  await c.query(
    `insert into torrents (id, ${COLUMNS}) select * from unnest($1::bigint[], $2::bytea[], $3::bytea[],
      $4::text[], $5::bytea[], $6::bigint[], $7::bigint[], $8::int[], $9::int[], $10::bigint[], $11::bigint[],
      $12::bigint[], $13::bigint[], $14::text[])`,
    [
      col('id'),
      bin('infohash_v1'),
      bin('infohash_v2'),
      col('name'),
      bin('name_raw'),
      col('total_size'),
      col('piece_length'),
      col('file_count'),
      col('private'),
      col('first_seen'),
      col('last_seen'),
      col('seen_count'),
      col('metadata_fetched_at'),
      col('source'),
    ],
  )
  const withFiles = plan.fresh.flatMap((t, i) => (t.files.length === 0 ? [] : [i]))
  if (withFiles.length > 0) {
    await c.query(
      'insert into file_lists (torrent_id, data) select * from unnest($1::bigint[], $2::bytea[])',
      [withFiles.map((i) => rows[i]!.id), withFiles.map((i) => bytea(encodeFileList(plan.fresh[i]!.files)))],
    )
  }
  await insertRoots(
    c,
    rows.map((r) => r.id),
    plan.fresh,
  )
  await c.query(
    'insert into torrent_fts (id, doc) select i, d::tsvector from unnest($1::bigint[], $2::text[]) u(i, d)',
    [rows.map((r) => r.id), plan.fresh.map((t) => tsvectorLiteral(ftsDocument(t.name, t.pathTexts)))],
  )
}

/** The file_roots rows of torrents `ids[i]` <- `torrents[i]`, in one statement (none when no file has a root). */
export async function insertRoots(
  c: pg.ClientBase,
  ids: readonly number[],
  torrents: readonly NormalizedTorrent[],
): Promise<void> {
  const roots: Buffer[] = []
  const owners: number[] = []
  const indexes: number[] = []
  const sizes: number[] = []
  torrents.forEach((t, i) => {
    for (const f of rootedFiles(t.files)) {
      roots.push(bytea(f.root))
      owners.push(ids[i]!)
      indexes.push(f.index)
      sizes.push(f.size)
    }
  })
  if (roots.length > 0) await run(c, 'insertRoots', [roots, owners, indexes, sizes])
}

/**
 * Caches the fresh torrents' info dicts in one upsert (their keys are distinct: each torrent's is its
 * own infohash). Returns false when there was nothing to cache. Eviction is the caller's (CacheTx).
 */
export async function cacheFresh(c: pg.ClientBase, plan: BatchPlan, budget: number): Promise<boolean> {
  const items = plan.fresh.flatMap((t) => {
    if (t.rawInfo === undefined) return []
    const data = deflateRawSync(t.rawInfo)
    return data.length > budget ? [] : [{ key: bytea((t.ih1 ?? t.ih2)!), data, raw: t.rawInfo.length }]
  })
  if (items.length === 0) return false
  const now = Date.now()
  await c.query(
    `insert into metadata_cache (infohash, data, raw_bytes, stored_bytes, last_used)
     select * from unnest($1::bytea[], $2::bytea[], $3::int[], $4::int[], $5::bigint[])
     on conflict (infohash) do update set data = excluded.data, raw_bytes = excluded.raw_bytes,
       stored_bytes = excluded.stored_bytes, last_used = excluded.last_used`,
    [
      items.map((x) => x.key),
      items.map((x) => x.data),
      items.map((x) => x.raw),
      items.map((x) => x.data.length),
      items.map(() => now),
    ],
  )
  return true
}
