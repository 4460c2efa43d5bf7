import type { Kysely } from 'kysely'
import type { IndexBackend } from './backend.js'
import { fromSeconds, parseInfohash, toSeconds } from './codec/bytes.js'
import { DEFAULT_EXPORT_BATCH, MAX_SYNC_PAGE } from './constants.js'
import type { Database } from './database.js'
import { IndexError, toIndexError } from './errors.js'
import { exportTorrents, findTorrent, toDetail } from './read/details.js'
import { dupesOf } from './read/dupes.js'
import { holderCap, parsePiecesRoot, torrentsWithFile } from './read/file-roots.js'
import { filesOf } from './read/files.js'
import { heldKeys } from './read/held.js'
import { metadataByHash } from './read/metadata-by-hash.js'
import { metadataPage, type MetadataKey } from './read/metadata-page.js'
import { pendingSightings } from './read/pending.js'
import { rootStats } from './read/root-stats.js'
import { search } from './search/search.js'
import { searchFiles } from './search/search-files.js'
import type {
  FileLookupOptions,
  FileSearchPage,
  FileSearchQuery,
  SharedFile,
  TorrentDupes,
  IndexStats,
  LivenessInput,
  PendingSighting,
  SearchPage,
  SearchQuery,
  SightingInput,
  TorrentDetail,
  TorrentInput,
} from './types.js'
import { livenessBatch } from './write/liveness-input.js'
import type { IngestResult } from './write/merge.js'
import type { RemoveOptions, RemoveResult } from './write/remove.js'

const SECONDS_PER_DAY = 86_400

export interface MetadataCache {
  put(infohash: Uint8Array, rawInfo: Uint8Array): Promise<void>
  /** `touch: false` reads without counting as a use for LRU eviction (e.g. an export). */
  get(infohash: Uint8Array, opts?: { touch?: boolean }): Promise<Uint8Array | undefined>
}

/** Internals handed over by openIndex; not part of the public API. */
export interface PooledIndexParts {
  db: Kysely<Database>
  /** The file path, or the Postgres URL without its password. */
  path: string
  backend: IndexBackend
}

/**
 * The pooled torrent index over one SQLite file or one Postgres database (sqlite-backend.ts,
 * postgres/backend.ts): the same API and the same answers on both.
 */
export class PooledIndex {
  readonly db: Kysely<Database>
  readonly metadataCache: MetadataCache
  readonly path: string
  readonly #backend: IndexBackend
  #closed = false

  constructor(parts: PooledIndexParts) {
    this.db = parts.db
    this.path = parts.path
    this.#backend = parts.backend
    this.metadataCache = {
      put: async (ih, info) => this.#guard('metadata cache put', () => this.#backend.cachePut(ih, info)),
      get: async (ih, o) =>
        this.#guard('metadata cache get', () => this.#backend.cacheGet(ih, o?.touch !== false)),
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

  #writable(where: string): IndexBackend {
    if (!this.#backend.writable)
      throw new IndexError('INDEX_UNWRITABLE', `${where}: the index was opened read-only`)
    return this.#backend
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
   * Records swarms seen alive (a get_peers that found peers), at most MAX_LIVENESS_BATCH per call in
   * one transaction: the newest observation per torrent wins, so replaying a batch changes nothing.
   * Unknown infohashes and entries with 0 peers are ignored; returns how many entries matched a torrent.
   */
  async recordLiveness(entries: readonly LivenessInput[]): Promise<number> {
    return this.#guard('record liveness', () => {
      const backend = this.#writable('record liveness')
      return backend.recordLiveness(livenessBatch(entries))
    })
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
      const backend = this.#writable('remove')
      if (!Array.isArray(infohashes)) throw new IndexError('BAD_INPUT', 'removeTorrents needs an array')
      return backend.removeTorrents(infohashes.map(parseInfohash), opts)
    })
  }

  /**
   * The cached info dict for the 20-byte hash peers and DHT nodes use (a v1 infohash, or a v2 one
   * truncated as BEP 52 does; a full 32-byte v2 hash works too), or undefined.
   */
  async metadataFor(infohash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#guard('metadata lookup', () =>
      metadataByHash(this.db, (ih) => this.#backend.cacheGet(ih, true), infohash),
    )
  }

  /**
   * Up to `limit` (1..5,000) cached info dicts' keys after `after` (exclusive; none: from the start),
   * in key order, with their sizes: what a member catching up pages through (bb_sync).
   */
  async metadataAfter(after: Uint8Array | undefined, limit: number): Promise<MetadataKey[]> {
    const n = Math.floor(limit)
    if (!(n >= 1 && n <= MAX_SYNC_PAGE))
      throw new IndexError('BAD_INPUT', `metadataAfter needs a limit of 1..${MAX_SYNC_PAGE}`)
    if (after !== undefined && !(after instanceof Uint8Array && after.length <= 32))
      throw new IndexError('BAD_INPUT', 'metadataAfter needs a cursor of at most 32 bytes')
    return this.#guard('metadata page', () => metadataPage(this.db, after, n))
  }

  /**
   * For each metadata cache key (20-byte v1, 32-byte v2; at most 5,000), whether a torrent row holds
   * it, in two queries: the bulk form of `has` for cache keys.
   */
  async holdsKeys(keys: readonly Uint8Array[]): Promise<boolean[]> {
    if (!Array.isArray(keys) || keys.length > MAX_SYNC_PAGE)
      throw new IndexError('BAD_INPUT', `holdsKeys needs an array of at most ${MAX_SYNC_PAGE} keys`)
    for (const k of keys)
      if (!(k instanceof Uint8Array) || (k.length !== 20 && k.length !== 32))
        throw new IndexError('BAD_INPUT', 'holdsKeys: every key is 20 or 32 bytes')
    return this.#guard('holds keys', () => heldKeys(this.db, keys))
  }

  async has(infohash: string | Uint8Array): Promise<boolean> {
    return this.#guard('has', () => this.#backend.has(parseInfohash(infohash)))
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
    return this.#guard('search', () => search(this.db, this.#backend.fullText, q))
  }

  /**
   * The v2 file index: the torrents holding the file with this BEP 52 pieces root (64 hex or 32
   * bytes), oldest first, at most `maxTorrents` listed (the count is exact); undefined when none does.
   */
  async torrentsWithFile(
    root: string | Uint8Array,
    opts?: FileLookupOptions,
  ): Promise<SharedFile | undefined> {
    return this.#guard('torrentsWithFile', () =>
      torrentsWithFile(this.db, parsePiecesRoot(root), holderCap(opts)),
    )
  }

  /**
   * For each file of this torrent that has a pieces root (v2 and hybrid torrents), the other torrents
   * holding the same file; undefined when the torrent is not in the index.
   */
  async dupes(infohash: string | Uint8Array, opts?: FileLookupOptions): Promise<TorrentDupes | undefined> {
    return this.#guard('dupes', () => dupesOf(this.db, parseInfohash(infohash), holderCap(opts)))
  }

  /** Files whose paths match the query (as `search` matches them), each with every torrent holding it. */
  async searchFiles(q: FileSearchQuery): Promise<FileSearchPage> {
    return this.#guard('searchFiles', () => searchFiles(this.db, this.#backend.fullText, q))
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
        dbBytes: await this.#backend.dbBytes(),
        ...(await rootStats(this.db)),
      }
    })
  }

  /**
   * The engine's integrity check (SQLite: `PRAGMA integrity_check`; Postgres: its tables answer): an
   * empty list when the index is sound, else its findings (at most `maxErrors`).
   */
  async integrityCheck(maxErrors = 20): Promise<string[]> {
    return this.#guard('integrityCheck', () => this.#backend.integrityCheck(maxErrors))
  }

  /** Closes the database (SQLite: checkpointing the WAL; Postgres: ending the pool). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.db.destroy()
  }
}
