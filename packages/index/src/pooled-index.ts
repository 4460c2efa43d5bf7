import { statSync } from 'node:fs'
import type BetterSqlite3 from 'better-sqlite3'
import type { Kysely } from 'kysely'
import { fromSeconds, parseInfohash, toSeconds } from './codec/bytes.js'
import { DEFAULT_EXPORT_BATCH } from './constants.js'
import type { Database } from './database.js'
import { IndexError, toIndexError } from './errors.js'
import { exportTorrents, findTorrent, toDetail } from './read/details.js'
import { createExistsCheck, type ExistsCheck } from './read/exists.js'
import { filesOf } from './read/files.js'
import { pendingSightings } from './read/pending.js'
import { search } from './search/search.js'
import type {
  IndexStats,
  PendingSighting,
  SearchPage,
  SearchQuery,
  SightingInput,
  TorrentDetail,
  TorrentInput,
} from './types.js'
import type { MetadataCacheStore } from './write/metadata-cache.js'
import { removeTorrents, type RemoveOptions, type RemoveResult } from './write/remove.js'
import type { IngestResult, Writer } from './write/writer.js'

const SECONDS_PER_DAY = 86_400

export interface MetadataCache {
  put(infohash: Uint8Array, rawInfo: Uint8Array): Promise<void>
  /** `touch: false` reads without counting as a use for LRU eviction (e.g. an export). */
  get(infohash: Uint8Array, opts?: { touch?: boolean }): Promise<Uint8Array | undefined>
}

/** Internals handed over by openIndex; not part of the public API. */
export interface PooledIndexParts {
  db: Kysely<Database>
  raw: BetterSqlite3.Database
  path: string
  readonly: boolean
  cache: MetadataCacheStore
  writer: Writer | undefined
}

/**
 * The pooled torrent index over one SQLite file. One writer per file: writes are synchronous
 * better-sqlite3 transactions, so they never interleave with each other or with reads on this handle.
 */
export class PooledIndex {
  readonly db: Kysely<Database>
  readonly metadataCache: MetadataCache
  readonly path: string
  readonly #raw: BetterSqlite3.Database
  readonly #writer: Writer | undefined
  readonly #cache: MetadataCacheStore
  #closed = false
  #exists: ExistsCheck | undefined

  constructor(parts: PooledIndexParts) {
    this.db = parts.db
    this.path = parts.path
    this.#raw = parts.raw
    this.#writer = parts.writer
    this.#cache = parts.cache
    this.metadataCache = {
      put: async (ih, info) => this.#guard('metadata cache put', () => this.#cache.put(ih, info)),
      get: async (ih, o) => this.#guard('metadata cache get', () => this.#cache.get(ih, o?.touch !== false)),
    }
  }

  async #guard<T>(where: string, fn: () => T | Promise<T>): Promise<T> {
    if (this.#closed) throw new IndexError('INDEX_CLOSED', `${where}: the index is closed`)
    try {
      return await fn()
    } catch (err) {
      throw toIndexError(err, where)
    }
  }

  #writable(where: string): Writer {
    if (this.#writer === undefined)
      throw new IndexError('INDEX_UNWRITABLE', `${where}: the index was opened read-only`)
    return this.#writer
  }

  /** Upserts a batch in one transaction; re-ingesting an infohash updates last_seen and counts only. */
  async ingest(torrents: TorrentInput[]): Promise<IngestResult> {
    return this.#guard('ingest', () => this.#writable('ingest').ingest(torrents))
  }

  /** Records infohashes seen without metadata; returns how many had never been seen before. */
  async recordSightings(s: SightingInput[]): Promise<number> {
    return this.#guard('record sightings', () => this.#writable('record sightings').recordSightings(s))
  }

  /**
   * Up to `limit` infohashes sighted but not yet ingested, most-sighted first: what a restarted
   * crawl re-queues so that sightings without metadata are not forgotten.
   */
  async pendingSightings(limit: number): Promise<PendingSighting[]> {
    const n = Math.floor(limit)
    if (!Number.isFinite(n) || n < 0) throw new IndexError('BAD_INPUT', 'pendingSightings needs a limit >= 0')
    return this.#guard('pending sightings', () => pendingSightings(this.db, n))
  }

  /**
   * Deletes torrents by exact infohash (40/64 hex or 20/32 bytes) in one transaction: row, file list
   * and search entry. With `sourcePrefix`, only rows whose provenance starts with it (others are kept).
   */
  async removeTorrents(
    infohashes: readonly (string | Uint8Array)[],
    opts?: RemoveOptions,
  ): Promise<RemoveResult> {
    return this.#guard('remove', () => {
      this.#writable('remove')
      if (!Array.isArray(infohashes)) throw new IndexError('BAD_INPUT', 'removeTorrents needs an array')
      return removeTorrents(this.#raw, infohashes.map(parseInfohash), opts)
    })
  }

  async has(infohash: string | Uint8Array): Promise<boolean> {
    return this.#guard('has', () => (this.#exists ??= createExistsCheck(this.#raw))(parseInfohash(infohash)))
  }

  async get(infohash: string | Uint8Array): Promise<TorrentDetail | undefined> {
    return this.#guard('get', async () => {
      const row = await findTorrent(this.db, parseInfohash(infohash))
      if (row === undefined) return undefined
      const files = await filesOf(this.db, [row.id])
      return toDetail(row, files.get(row.id) ?? [])
    })
  }

  async search(q: SearchQuery): Promise<SearchPage> {
    return this.#guard('search', () => search(this.db, q))
  }

  /** Every torrent with its files, in id order, one bounded batch in memory at a time. */
  async *exportAll(opts?: { batchSize?: number }): AsyncIterable<TorrentDetail> {
    const batch = Math.max(1, Math.floor(opts?.batchSize ?? DEFAULT_EXPORT_BATCH))
    if (this.#closed) throw new IndexError('INDEX_CLOSED', 'export: the index is closed')
    try {
      yield* exportTorrents(this.db, batch)
    } catch (err) {
      throw toIndexError(err, 'export')
    }
  }

  async stats(): Promise<IndexStats> {
    return this.#guard('stats', async () => {
      // sum(file_count) over torrents instead of count(*) over ~20M file rows.
      const t = await this.db
        .selectFrom('torrents')
        .select((eb) => [
          eb.fn.countAll<number>().as('n'),
          eb.fn.coalesce(eb.fn.sum<number>('file_count'), eb.lit(0)).as('files'),
          eb.fn.coalesce(eb.fn.sum<number>('total_size'), eb.lit(0)).as('size'),
          eb.fn.min<number | null>('first_seen').as('oldest'),
          eb.fn.max<number | null>('last_seen').as('newest'),
        ])
        .executeTakeFirstOrThrow()
      // first_seen is not indexed; one pass over the torrents table like the sums above.
      const dayAgo = toSeconds(new Date()) - SECONDS_PER_DAY
      const d = await this.db
        .selectFrom('torrents')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('first_seen', '>=', dayAgo)
        .executeTakeFirstOrThrow()
      const s = await this.db
        .selectFrom('sightings')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      const c = await this.db
        .selectFrom('metadata_cache')
        .select((eb) => [
          eb.fn.countAll<number>().as('n'),
          eb.fn.coalesce(eb.fn.sum<number>('stored_bytes'), eb.lit(0)).as('bytes'),
        ])
        .executeTakeFirstOrThrow()
      return {
        torrents: Number(t.n),
        files: Number(t.files),
        totalSize: Number(t.size),
        pendingMetadata: Number(s.n),
        sightings: Number(s.n),
        oldestFirstSeen: t.oldest === null ? null : fromSeconds(Number(t.oldest)),
        newestLastSeen: t.newest === null ? null : fromSeconds(Number(t.newest)),
        newLastDay: Number(d.n),
        cachedMetadata: Number(c.n),
        cacheBytes: Number(c.bytes),
        dbBytes: this.#dbBytes(),
      }
    })
  }

  /**
   * SQLite's `PRAGMA integrity_check`: an empty list when the file is sound, else its findings
   * (at most `maxErrors`). Reads every page, so it takes a while on a large index.
   */
  async integrityCheck(maxErrors = 20): Promise<string[]> {
    return this.#guard('integrityCheck', async () => {
      const rows = this.#raw.pragma(`integrity_check(${Math.max(1, Math.floor(maxErrors))})`) as {
        integrity_check: string
      }[]
      const found = rows.map((r) => r.integrity_check)
      return found.length === 1 && found[0] === 'ok' ? [] : found
    })
  }

  #dbBytes(): number {
    const pages = this.#raw.pragma('page_count', { simple: true }) as number
    const pageSize = this.#raw.pragma('page_size', { simple: true }) as number
    let wal = 0
    if (this.path !== ':memory:' && this.path !== '') {
      try {
        wal = statSync(`${this.path}-wal`).size
      } catch {
        wal = 0 // no WAL file right after a checkpoint-on-close
      }
    }
    return pages * pageSize + wal
  }

  /** Closes the database (checkpointing the WAL). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.db.destroy()
  }
}
