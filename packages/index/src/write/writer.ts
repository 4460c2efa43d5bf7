import type BetterSqlite3 from 'better-sqlite3'
import { INFOHASH_V1_BYTES } from '../constants.js'
import { lossyText, toSeconds } from '../codec/bytes.js'
import { decodeFileList, encodeFileList } from '../codec/file-list.js'
import { ftsDocument, prepareFtsWriter } from '../search/fts5.js'
import type { FtsWriter } from '../search/fts5.js'
import type { SightingInput, TorrentInput } from '../types.js'
import { rootedFiles } from './file-roots.js'
import type { MetadataCacheStore } from './metadata-cache.js'
import { IndexError } from '../errors.js'
import {
  content,
  foldInto,
  mergeSeen,
  newRow,
  pickContent,
  pickKeep,
  prepareBatch,
  updatedRow,
} from './merge.js'
import type { Folded, IngestResult } from './merge.js'
import { prepareWriteStatements, rowParams, v2PrefixRange } from './statements.js'
import type { TorrentRowFull, WriteStatements } from './statements.js'
import { checkSighting } from './validate.js'
import type { NormalizedTorrent } from './validate.js'

export type { IngestResult } from './merge.js'

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
    const { torrents, rawInfoRejected } = prepareBatch(inputs)
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
      const id = Number(this.#s.insertTorrent.run(...rowParams(newRow(t, folded))).lastInsertRowid)
      this.#writeFiles(id, t)
      this.#putRawInfo(t)
      return true
    }
    const picked = pickKeep(a, b)
    let keep = picked.keep
    const other = picked.other
    let rebuildFts = false
    if (other !== undefined) {
      this.#fts.remove(other.id)
      if (keep.file_count === 0 && other.file_count > 0) {
        this.#s.moveFiles.run(keep.id, other.id)
        this.#s.moveRoots.run(keep.id, other.id)
        keep = { ...keep, ...pickContent(other) }
        rebuildFts = true
      } else {
        this.#deleteFiles(other.id)
      }
      this.#s.mergeLiveness.run(other.id, keep.id)
      this.#s.deleteTorrent.run(other.id)
      keep = mergeSeen(keep, other, other.seen_count)
    }
    let next = updatedRow(keep, t, folded)
    // A row stored without a file list (name only) gets the full metadata when it arrives.
    const fill = keep.file_count === 0 && t.files.length > 0
    if (fill) next = { ...next, ...content(t) }
    this.#s.updateTorrent.run(...rowParams(next), keep.id)
    if (fill) {
      this.#deleteFiles(keep.id)
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
    for (const f of rootedFiles(t.files)) this.#s.insertRoot.run(f.root, id, f.index, f.size)
    this.#fts.insert(id, ftsDocument(t.name, t.pathTexts))
  }

  #deleteFiles(id: number): void {
    this.#s.deleteFiles.run(id)
    this.#s.deleteRoots.run(id)
  }

  #putRawInfo(t: NormalizedTorrent): void {
    if (t.rawInfo === undefined) return
    this.#cache.putSync((t.ih1 ?? t.ih2)!, t.rawInfo)
  }

  /** Sightings recorded before the metadata arrived are absorbed into the torrent row. */
  #foldSightings(t: NormalizedTorrent): Folded {
    const folded: Folded = { first: Number.MAX_SAFE_INTEGER, count: 0 }
    for (const k of [t.ih1, t.ih2, t.ih2?.subarray(0, INFOHASH_V1_BYTES)]) {
      if (k === null || k === undefined) continue
      foldInto(folded, this.#s.takeSighting.get(k) as { first_seen: number; count: number } | undefined)
    }
    return folded
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
