import { MAX_RAW_INFO_BYTES } from '../constants.js'
import { toSeconds } from '../codec/bytes.js'
import { IndexError } from '../errors.js'
import type { TorrentCoreRow as TorrentRow } from '../tables/torrents.js'
import type { TorrentInput } from '../types.js'
import { infoHashes } from './metadata-cache.js'
import { normalizeTorrent } from './validate.js'
import type { NormalizedTorrent } from './validate.js'

// The parts of ingest that do not touch storage, shared by the SQLite writer (write/writer.ts) and
// the Postgres one (postgres/writer.ts), so both merge rows by the same rules.

export interface IngestResult {
  inserted: number
  updated: number
  /** rawInfo values dropped because they did not hash to the torrent's infohash. */
  rawInfoRejected: number
}

/**
 * Validates a batch before any lock is taken, so bad input never holds one. An info dict that does
 * not hash to the torrent's infohash, or that the cache would refuse for its size, is dropped (the
 * torrent is still ingested): one such dict must not fail the whole batch.
 */
export function prepareBatch(inputs: readonly TorrentInput[]): {
  torrents: NormalizedTorrent[]
  rawInfoRejected: number
} {
  if (!Array.isArray(inputs)) throw new IndexError('BAD_INPUT', 'ingest needs an array of torrents')
  const now = toSeconds(new Date())
  const torrents = inputs.map((t, i) => normalizeTorrent(t, `torrent ${i}`, now))
  let rawInfoRejected = 0
  for (const t of torrents) {
    if (t.rawInfo === undefined) continue
    const size = t.rawInfo.length
    if (size === 0 || size > MAX_RAW_INFO_BYTES || !infoHashes((t.ih1 ?? t.ih2)!, t.rawInfo)) {
      t.rawInfo = undefined
      rawInfoRejected++
    }
  }
  return { torrents, rawInfoRejected }
}

export function content(t: NormalizedTorrent) {
  return {
    name: t.name,
    name_raw: t.nameRaw,
    total_size: t.totalSize,
    piece_length: t.pieceLength,
    file_count: t.files.length,
    private: t.private,
    source: t.source,
  }
}

export function pickContent(r: TorrentRow) {
  const { name, name_raw, total_size, piece_length, file_count, private: priv, source } = r
  return { name, name_raw, total_size, piece_length, file_count, private: priv, source }
}

/** The row a fresh torrent gets, with the sightings folded into it. */
export function newRow(t: NormalizedTorrent, folded: Folded): Omit<TorrentRow, 'id'> {
  return {
    infohash_v1: t.ih1,
    infohash_v2: t.ih2,
    ...content(t),
    first_seen: Math.min(t.firstSeen, folded.first),
    last_seen: t.lastSeen,
    seen_count: (t.seenCount ?? 1) + folded.count,
    metadata_fetched_at: t.fetchedAt,
  }
}

/** Sightings absorbed into a torrent row: the earliest first-seen and how many there were. */
export interface Folded {
  first: number
  count: number
}

export function foldInto(acc: Folded, s: { first_seen: number; count: number } | undefined): void {
  if (s === undefined) return
  acc.first = Math.min(acc.first, s.first_seen)
  acc.count += s.count
}

/**
 * Matched on either infohash: the row to keep and, for a hybrid whose v1 and v2 halves were first
 * stored as two rows, the other one (merged into the older row).
 */
export function pickKeep(
  a: TorrentRow | undefined,
  b: TorrentRow | undefined,
): { keep: TorrentRow; other: TorrentRow | undefined } {
  const keep = (a !== undefined && b !== undefined ? (a.id <= b.id ? a : b) : (a ?? b))!
  const other = a !== undefined && b !== undefined && a.id !== b.id ? (keep === a ? b : a) : undefined
  return { keep, other }
}

/** The kept row once a new sighting of `t` (and the folded sightings) is applied. */
export function updatedRow(keep: TorrentRow, t: NormalizedTorrent, folded: Folded): TorrentRow {
  const next: TorrentRow = {
    ...keep,
    infohash_v1: keep.infohash_v1 ?? t.ih1,
    infohash_v2: keep.infohash_v2 ?? t.ih2,
    first_seen: Math.min(keep.first_seen, t.firstSeen, folded.first),
    last_seen: Math.max(keep.last_seen, t.lastSeen),
    seen_count:
      (t.seenCount === undefined ? keep.seen_count + 1 : Math.max(keep.seen_count, t.seenCount)) +
      folded.count,
    metadata_fetched_at: maxOrNull(keep.metadata_fetched_at, t.fetchedAt),
    piece_length: keep.piece_length ?? t.pieceLength,
  }
  return next
}

export function mergeSeen(keep: TorrentRow, other: TorrentRow, extra: number): TorrentRow {
  return {
    ...keep,
    infohash_v1: keep.infohash_v1 ?? other.infohash_v1,
    infohash_v2: keep.infohash_v2 ?? other.infohash_v2,
    first_seen: Math.min(keep.first_seen, other.first_seen),
    last_seen: Math.max(keep.last_seen, other.last_seen),
    seen_count: keep.seen_count + extra,
    metadata_fetched_at: maxOrNull(keep.metadata_fetched_at, other.metadata_fetched_at),
  }
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b
  if (b === null) return a
  return Math.max(a, b)
}
