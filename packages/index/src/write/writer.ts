import type BetterSqlite3 from 'better-sqlite3'
import { INFOHASH_V1_BYTES, MAX_RAW_INFO_BYTES } from '../constants.js'
import { lossyText, toSeconds } from '../codec/bytes.js'
import { decodeFileList, encodeFileList } from '../codec/file-list.js'
import { ftsDocument, prepareFtsWriter } from '../search/fts5.js'
import type { FtsWriter } from '../search/fts5.js'
import type { SightingInput, TorrentInput } from '../types.js'
import { infoHashes } from './metadata-cache.js'
import type { MetadataCacheStore } from './metadata-cache.js'
import { IndexError } from '../errors.js'
import { prepareWriteStatements, rowParams, v2PrefixRange } from './statements.js'
import type { TorrentRowFull, WriteStatements } from './statements.js'
import { checkSighting, normalizeTorrent } from './validate.js'
import type { NormalizedTorrent } from './validate.js'

type Row = Omit<TorrentRowFull, 'id'>

export interface IngestResult {
  inserted: number
  updated: number
  /** rawInfo values dropped because they did not hash to the torrent's infohash. */
  rawInfoRejected: number
}

/** The single writer: every mutation of torrents, files, sightings and the FTS index goes through here. */
export class Writer {
  readonly #raw: BetterSqlite3.Database
  readonly #s: WriteStatements
  readonly #fts: FtsWriter
  readonly #cache: MetadataCacheStore

  constructor(raw: BetterSqlite3.Database, cache: MetadataCacheStore) {
    this.#raw = raw
    this.#s = prepareWriteStatements(raw)
    this.#fts = prepareFtsWriter(raw)
    this.#cache = cache
  }

  /** One IMMEDIATE transaction for the whole batch: all of it is committed, or none of it. */
  ingest(inputs: readonly TorrentInput[]): IngestResult {
    if (!Array.isArray(inputs)) throw new IndexError('BAD_INPUT', 'ingest needs an array of torrents')
    const now = toSeconds(new Date())
    // Validate everything before taking the write lock, so bad input never holds it.
    const torrents = inputs.map((t, i) => normalizeTorrent(t, `torrent ${i}`, now))
    // An info dict that does not hash to the torrent's infohash, or that the cache would refuse for its
    // size, is not cached (the torrent still is): one such dict must not fail the whole batch.
    let rawInfoRejected = 0
    for (const t of torrents) {
      if (t.rawInfo === undefined) continue
      const size = t.rawInfo.length
      if (size === 0 || size > MAX_RAW_INFO_BYTES || !infoHashes((t.ih1 ?? t.ih2)!, t.rawInfo)) {
        t.rawInfo = undefined
        rawInfoRejected++
      }
    }
    let inserted = 0
    let updated = 0
    const run = this.#raw.transaction(() => {
      for (const t of torrents) {
        if (this.#ingestOne(t)) inserted++
        else updated++
      }
    })
    try {
      run.immediate()
    } catch (err) {
      this.#cache.invalidate()
      throw err
    }
    return { inserted, updated, rawInfoRejected }
  }

  /** Returns true when a new torrent row was created. */
  #ingestOne(t: NormalizedTorrent): boolean {
    const a = t.ih1 === null ? undefined : (this.#s.byV1.get(t.ih1) as TorrentRowFull | undefined)
    const b = t.ih2 === null ? undefined : (this.#s.byV2.get(t.ih2) as TorrentRowFull | undefined)
    const folded = this.#foldSightings(t)
    if (a === undefined && b === undefined) {
      const row: Row = {
        infohash_v1: t.ih1,
        infohash_v2: t.ih2,
        ...content(t),
        first_seen: Math.min(t.firstSeen, folded.first),
        last_seen: t.lastSeen,
        seen_count: (t.seenCount ?? 1) + folded.count,
        metadata_fetched_at: t.fetchedAt,
      }
      const id = Number(this.#s.insertTorrent.run(...rowParams(row)).lastInsertRowid)
      this.#writeFiles(id, t)
      this.#putRawInfo(t)
      return true
    }
    // Matched on either infohash. A hybrid whose v1 and v2 halves were first stored as two rows is
    // merged into the older row.
    let keep = (a !== undefined && b !== undefined ? (a.id <= b.id ? a : b) : (a ?? b))!
    const other = a !== undefined && b !== undefined && a.id !== b.id ? (keep === a ? b : a) : undefined
    let rebuildFts = false
    if (other !== undefined) {
      this.#fts.remove(other.id)
      if (keep.file_count === 0 && other.file_count > 0) {
        this.#s.moveFiles.run(keep.id, other.id)
        keep = { ...keep, ...pickContent(other) }
        rebuildFts = true
      } else {
        this.#s.deleteFiles.run(other.id)
      }
      this.#s.deleteTorrent.run(other.id)
      keep = mergeSeen(keep, other, other.seen_count)
    }
    let next: TorrentRowFull = {
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
    // A row stored without a file list (name only) gets the full metadata when it arrives.
    const fill = keep.file_count === 0 && t.files.length > 0
    if (fill) next = { ...next, ...content(t) }
    this.#s.updateTorrent.run(...rowParams(next), keep.id)
    if (fill) {
      this.#s.deleteFiles.run(keep.id)
      this.#fts.remove(keep.id)
      this.#writeFiles(keep.id, t)
    } else if (rebuildFts || other !== undefined) {
      this.#fts.remove(keep.id)
      const data = this.#s.fileList.pluck().get(keep.id) as Uint8Array | undefined
      const paths = data === undefined ? [] : decodeFileList(data).map((f) => lossyText(f.path))
      this.#fts.insert(keep.id, ftsDocument(next.name, paths))
    }
    this.#putRawInfo(t)
    return false
  }

  #writeFiles(id: number, t: NormalizedTorrent): void {
    if (t.files.length > 0) this.#s.insertFiles.run(id, encodeFileList(t.files))
    this.#fts.insert(id, ftsDocument(t.name, t.pathTexts))
  }

  #putRawInfo(t: NormalizedTorrent): void {
    if (t.rawInfo === undefined) return
    this.#cache.putSync((t.ih1 ?? t.ih2)!, t.rawInfo)
  }

  /** Sightings recorded before the metadata arrived are absorbed into the torrent row. */
  #foldSightings(t: NormalizedTorrent): { first: number; count: number } {
    let first = Number.MAX_SAFE_INTEGER
    let count = 0
    const keys = [t.ih1, t.ih2, t.ih2?.subarray(0, INFOHASH_V1_BYTES)]
    for (const k of keys) {
      if (k === null || k === undefined) continue
      const s = this.#s.takeSighting.get(k) as { first_seen: number; count: number } | undefined
      if (s === undefined) continue
      first = Math.min(first, s.first_seen)
      count += s.count
    }
    return { first, count }
  }

  /** Returns how many of the sightings were of infohashes never seen before. */
  recordSightings(inputs: readonly SightingInput[]): number {
    if (!Array.isArray(inputs)) throw new IndexError('BAD_INPUT', 'recordSightings needs an array')
    inputs.forEach((s, i) => checkSighting(s, `sighting ${i}`))
    const now = toSeconds(new Date())
    let fresh = 0
    this.#raw
      .transaction(() => {
        for (const s of inputs) {
          const at = s.at === undefined ? now : toSeconds(s.at)
          const id = this.#torrentIdOf(s.infohash)
          if (id !== undefined) {
            this.#s.touchTorrent.run(at, at, id)
            continue
          }
          if (this.#s.hasSighting.pluck().get(s.infohash) === undefined) fresh++
          this.#s.upsertSighting.run(s.infohash, at, at, s.via, s.fromNode ?? null)
        }
      })
      .immediate()
    return fresh
  }

  #torrentIdOf(ih: Uint8Array): number | undefined {
    if (ih.length === INFOHASH_V1_BYTES) {
      const r = this.#s.byV1.get(ih) as { id: number } | undefined
      if (r !== undefined) return r.id
      const p = this.#s.byV2Prefix.get(...v2PrefixRange(ih)) as { id: number } | undefined
      return p?.id
    }
    return (this.#s.byV2.get(ih) as { id: number } | undefined)?.id
  }
}

function content(t: NormalizedTorrent) {
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

function pickContent(r: TorrentRowFull) {
  const { name, name_raw, total_size, piece_length, file_count, private: priv, source } = r
  return { name, name_raw, total_size, piece_length, file_count, private: priv, source }
}

function mergeSeen(keep: TorrentRowFull, other: TorrentRowFull, extra: number): TorrentRowFull {
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
