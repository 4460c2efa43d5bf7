import type pg from 'pg'
import { INFOHASH_V1_BYTES } from '../constants.js'
import { lossyText, toSeconds, utf8Bytes } from '../codec/bytes.js'
import { decodeFileList, encodeFileList } from '../codec/file-list.js'
import { IndexError } from '../errors.js'
import { ftsDocument } from '../search/fts5.js'
import type { TorrentCoreRow as TorrentRow } from '../tables/torrents.js'
import type { SightingInput, TorrentInput } from '../types.js'
import {
  content,
  mergeSeen,
  newRow,
  pickContent,
  pickKeep,
  prepareBatch,
  updatedRow,
} from '../write/merge.js'
import type { Folded, IngestResult } from '../write/merge.js'
import { v2PrefixRange } from '../write/statements.js'
import { checkSighting } from '../write/validate.js'
import type { NormalizedTorrent } from '../write/validate.js'
import { cacheFresh, insertFresh, insertRoots, planBatch } from './bulk.js'
import { tsvectorLiteral } from './full-text.js'
import type { PgMetadataCache, CacheTx } from './metadata-cache.js'
import { bytea, rowValues, run } from './statements.js'
import { inKeyedTransaction } from './tx.js'

/** Postgres text cannot hold U+0000; SQLite's can. Such a name keeps its exact bytes in name_raw. */
function pgSafe(t: NormalizedTorrent): NormalizedTorrent {
  if (!t.name.includes('\u0000') && !t.source.includes('\u0000')) return t
  return {
    ...t,
    name: t.name.replaceAll('\u0000', '\uFFFD'),
    nameRaw: t.nameRaw ?? (t.name.includes('\u0000') ? utf8Bytes(t.name) : null),
    source: t.source.replaceAll('\u0000', '\uFFFD'),
  }
}

function keysOf(t: NormalizedTorrent): Uint8Array[] {
  return [t.ih1, t.ih2].filter((k): k is Uint8Array => k !== null)
}

/**
 * The Postgres writer: the same merge rules as the SQLite one (write/writer.ts, write/merge.ts), each
 * batch in one transaction holding the advisory locks of its infohashes (tx.ts), so concurrent
 * writers in other processes never lose or duplicate a torrent.
 */
export class PgWriter {
  readonly #pool: pg.Pool
  readonly #cache: PgMetadataCache
  readonly #lockTimeoutMs: number

  constructor(pool: pg.Pool, cache: PgMetadataCache, lockTimeoutMs: number) {
    this.#pool = pool
    this.#cache = cache
    this.#lockTimeoutMs = lockTimeoutMs
  }

  async ingest(inputs: readonly TorrentInput[]): Promise<IngestResult> {
    const prepared = prepareBatch(inputs)
    const torrents = prepared.torrents.map(pgSafe)
    return inKeyedTransaction(this.#pool, torrents.flatMap(keysOf), this.#lockTimeoutMs, async (c) => {
      const cache = this.#cache.transaction(c)
      const plan = await planBatch(c, torrents)
      await insertFresh(c, plan)
      if (await cacheFresh(c, plan, this.#cache.budget)) await cache.settle()
      let inserted = plan.fresh.length
      let updated = 0
      for (const t of plan.rest) {
        if (await ingestOne(c, cache, t, plan.folded.get(t)!)) inserted++
        else updated++
      }
      return { inserted, updated, rawInfoRejected: prepared.rawInfoRejected }
    })
  }

  async recordSightings(inputs: readonly SightingInput[]): Promise<number> {
    if (!Array.isArray(inputs)) throw new IndexError('BAD_INPUT', 'recordSightings needs an array')
    inputs.forEach((s, i) => checkSighting(s, `sighting ${i}`))
    const now = toSeconds(new Date())
    const keys = inputs.map((s) => s.infohash)
    return inKeyedTransaction(this.#pool, keys, this.#lockTimeoutMs, async (c) => {
      let fresh = 0
      for (const s of inputs) {
        const at = s.at === undefined ? now : toSeconds(s.at)
        const id = await torrentIdOf(c, s.infohash)
        if (id !== undefined) {
          await run(c, 'touchTorrent', [at, id])
          continue
        }
        const from = s.fromNode === undefined ? null : s.fromNode.replaceAll('\u0000', '\uFFFD')
        const [r] = await run<{ fresh: boolean }>(c, 'upsertSighting', [bytea(s.infohash), at, s.via, from])
        if (r?.fresh === true) fresh++
      }
      return fresh
    })
  }
}

/**
 * One torrent of a batch that matches a stored row or shares an infohash with another torrent of the
 * batch, mirroring Writer#ingestOne step by step (its sightings were taken by planBatch). True when
 * a row was created.
 */
async function ingestOne(
  c: pg.ClientBase,
  cache: CacheTx,
  t: NormalizedTorrent,
  folded: Folded,
): Promise<boolean> {
  const [a] = t.ih1 === null ? [] : await run<TorrentRow>(c, 'byV1', [bytea(t.ih1)])
  const [b] = t.ih2 === null ? [] : await run<TorrentRow>(c, 'byV2', [bytea(t.ih2)])
  if (a === undefined && b === undefined) {
    const [row] = await run<{ id: number }>(c, 'insertTorrent', rowValues(newRow(t, folded)))
    await writeFiles(c, row!.id, t)
    await putRawInfo(cache, t)
    return true
  }
  const picked = pickKeep(a, b)
  let keep = picked.keep
  const other = picked.other
  let rebuildFts = false
  if (other !== undefined) {
    await run(c, 'ftsDelete', [other.id])
    if (keep.file_count === 0 && other.file_count > 0) {
      await run(c, 'moveFiles', [keep.id, other.id])
      await run(c, 'moveRoots', [keep.id, other.id])
      keep = { ...keep, ...pickContent(other) }
      rebuildFts = true
    } else {
      await deleteFiles(c, other.id)
    }
    await run(c, 'mergeLiveness', [other.id, keep.id])
    await run(c, 'deleteTorrent', [other.id])
    keep = mergeSeen(keep, other, other.seen_count)
  }
  let next = updatedRow(keep, t, folded)
  // A row stored without a file list (name only) gets the full metadata when it arrives.
  const fill = keep.file_count === 0 && t.files.length > 0
  if (fill) next = { ...next, ...content(t) }
  await run(c, 'updateTorrent', [...rowValues(next), keep.id])
  if (fill) {
    await deleteFiles(c, keep.id)
    await run(c, 'ftsDelete', [keep.id])
    await writeFiles(c, keep.id, t)
  } else if (rebuildFts || other !== undefined) {
    await run(c, 'ftsDelete', [keep.id])
    const [f] = await run<{ data: Uint8Array }>(c, 'fileList', [keep.id])
    const paths = f === undefined ? [] : decodeFileList(f.data).map((x) => lossyText(x.path))
    await run(c, 'ftsInsert', [keep.id, tsvectorLiteral(ftsDocument(next.name, paths))])
  }
  await putRawInfo(cache, t)
  return false
}

async function writeFiles(c: pg.ClientBase, id: number, t: NormalizedTorrent): Promise<void> {
  if (t.files.length > 0) await run(c, 'insertFiles', [id, bytea(encodeFileList(t.files))])
  await insertRoots(c, [id], [t])
  await run(c, 'ftsInsert', [id, tsvectorLiteral(ftsDocument(t.name, t.pathTexts))])
}

async function deleteFiles(c: pg.ClientBase, id: number): Promise<void> {
  await run(c, 'deleteFiles', [id])
  await run(c, 'deleteRoots', [id])
}

async function putRawInfo(cache: CacheTx, t: NormalizedTorrent): Promise<void> {
  if (t.rawInfo !== undefined) await cache.put((t.ih1 ?? t.ih2)!, t.rawInfo)
}

async function torrentIdOf(c: pg.ClientBase, ih: Uint8Array): Promise<number | undefined> {
  if (ih.length === INFOHASH_V1_BYTES) {
    const [r] = await run<{ id: number }>(c, 'byV1', [bytea(ih)])
    if (r !== undefined) return r.id
    const [p] = await run<{ id: number }>(c, 'byV2Prefix', v2PrefixRange(ih).map(bytea))
    return p?.id
  }
  const [r] = await run<{ id: number }>(c, 'byV2', [bytea(ih)])
  return r?.id
}
