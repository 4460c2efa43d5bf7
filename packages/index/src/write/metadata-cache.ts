import { createHash } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type BetterSqlite3 from 'better-sqlite3'
import { INFOHASH_V1_BYTES, INFOHASH_V2_BYTES, MAX_RAW_INFO_BYTES } from '../constants.js'
import { IndexError } from '../errors.js'

interface CacheRow {
  data: Uint8Array
}

/**
 * The raw-metadata cache: verified info dicts, deflated, under a byte budget with least-recently-used
 * eviction. Synchronous so ingest can store into it inside its own transaction. `last_used` is in
 * milliseconds so LRU order survives several uses within one second.
 */
export class MetadataCacheStore {
  readonly #raw: BetterSqlite3.Database
  readonly #budget: number
  readonly #readonly: boolean
  #total: number | undefined
  readonly #stmts: {
    upsert: BetterSqlite3.Statement
    sizeOf: BetterSqlite3.Statement
    get: BetterSqlite3.Statement
    touch: BetterSqlite3.Statement
    oldest: BetterSqlite3.Statement
    remove: BetterSqlite3.Statement
    total: BetterSqlite3.Statement
  }

  constructor(raw: BetterSqlite3.Database, budgetBytes: number, readonly: boolean) {
    this.#raw = raw
    this.#budget = budgetBytes
    this.#readonly = readonly
    this.#stmts = {
      upsert: raw.prepare(
        `insert into metadata_cache (infohash, data, raw_bytes, stored_bytes, last_used) values (?, ?, ?, ?, ?)
         on conflict (infohash) do update set data = excluded.data, raw_bytes = excluded.raw_bytes,
           stored_bytes = excluded.stored_bytes, last_used = excluded.last_used`,
      ),
      sizeOf: raw.prepare('select stored_bytes from metadata_cache where infohash = ?').pluck(),
      get: raw.prepare('select data from metadata_cache where infohash = ?'),
      touch: raw.prepare('update metadata_cache set last_used = ? where infohash = ?'),
      oldest: raw.prepare(
        'select infohash, stored_bytes from metadata_cache order by last_used, rowid limit 64',
      ),
      remove: raw.prepare('delete from metadata_cache where infohash = ?'),
      total: raw.prepare('select coalesce(sum(stored_bytes), 0) from metadata_cache').pluck(),
    }
  }

  /** Compressed bytes currently held. */
  totalBytes(): number {
    this.#total ??= this.#stmts.total.get() as number
    return this.#total
  }

  /**
   * Stores an info dict; call inside a transaction. It must hash to its key (SHA-1 for a 20-byte v1
   * infohash, SHA-256 for a 32-byte v2 one): the cache is served to peers later. An entry larger than
   * the whole budget is skipped.
   */
  putSync(infohash: Uint8Array, rawInfo: Uint8Array): void {
    checkKey(infohash)
    if (!(rawInfo instanceof Uint8Array) || rawInfo.length === 0 || rawInfo.length > MAX_RAW_INFO_BYTES) {
      throw new IndexError('BAD_INPUT', `rawInfo must be 1..${MAX_RAW_INFO_BYTES} bytes`)
    }
    if (!infoHashes(infohash, rawInfo))
      throw new IndexError('BAD_INPUT', 'rawInfo does not hash to the infohash')
    const data = deflateRawSync(rawInfo)
    if (data.length > this.#budget) return
    const before = (this.#stmts.sizeOf.get(infohash) as number | undefined) ?? 0
    const total = this.totalBytes()
    this.#stmts.upsert.run(infohash, data, rawInfo.length, data.length, Date.now())
    this.#total = total - before + data.length
    this.#evict(infohash)
  }

  #evict(keep: Uint8Array): void {
    while ((this.#total ?? 0) > this.#budget) {
      const victims = this.#stmts.oldest.all() as { infohash: Uint8Array; stored_bytes: number }[]
      let progressed = false
      for (const v of victims) {
        if (Buffer.compare(v.infohash, keep) === 0) continue
        this.#stmts.remove.run(v.infohash)
        this.#total = (this.#total ?? 0) - v.stored_bytes
        progressed = true
        if (this.#total <= this.#budget) return
      }
      if (!progressed) return
    }
  }

  put(infohash: Uint8Array, rawInfo: Uint8Array): void {
    if (this.#readonly) throw new IndexError('INDEX_UNWRITABLE', 'the index was opened read-only')
    const saved = this.#total
    try {
      this.#raw.transaction(() => this.putSync(infohash, rawInfo)).immediate()
    } catch (err) {
      this.#total = saved
      throw err
    }
  }

  get(infohash: Uint8Array, touch = true): Uint8Array | undefined {
    checkKey(infohash)
    const row = this.#stmts.get.get(infohash) as CacheRow | undefined
    if (row === undefined) return undefined
    if (touch && !this.#readonly) this.#stmts.touch.run(Date.now(), infohash)
    return new Uint8Array(inflateRawSync(row.data))
  }

  /** Forget the cached total (after a rolled-back transaction). */
  invalidate(): void {
    this.#total = undefined
  }
}

function checkKey(infohash: Uint8Array): void {
  if (
    !(infohash instanceof Uint8Array) ||
    (infohash.length !== INFOHASH_V1_BYTES && infohash.length !== INFOHASH_V2_BYTES)
  ) {
    throw new IndexError('BAD_INPUT', 'metadata cache key must be a 20- or 32-byte infohash')
  }
}

/** BEP 3: the v1 infohash is SHA-1 of the bencoded info dict; BEP 52: v2 is its SHA-256. */
export function infoHashes(infohash: Uint8Array, rawInfo: Uint8Array): boolean {
  const algo = infohash.length === INFOHASH_V1_BYTES ? 'sha1' : 'sha256'
  return Buffer.compare(createHash(algo).update(rawInfo).digest(), infohash) === 0
}
