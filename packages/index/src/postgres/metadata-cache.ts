import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type pg from 'pg'
import { INFOHASH_V1_BYTES, INFOHASH_V2_BYTES, MAX_RAW_INFO_BYTES } from '../constants.js'
import { IndexError } from '../errors.js'
import { infoHashes } from '../write/metadata-cache.js'
import { bytea, run } from './statements.js'
import { inKeyedTransaction } from './tx.js'

/** Puts into the cache inside the caller's transaction. */
export interface CacheTx {
  put(infohash: Uint8Array, rawInfo: Uint8Array): Promise<void>
  /** After rows were upserted in bulk (postgres/bulk.ts): re-read the total and evict down to budget. */
  settle(): Promise<void>
}

function checkKey(infohash: Uint8Array): void {
  if (
    !(infohash instanceof Uint8Array) ||
    (infohash.length !== INFOHASH_V1_BYTES && infohash.length !== INFOHASH_V2_BYTES)
  ) {
    throw new IndexError('BAD_INPUT', 'metadata cache key must be a 20- or 32-byte infohash')
  }
}

/**
 * The raw-metadata cache on Postgres: the same rules as write/metadata-cache.ts (verified, deflated,
 * least recently used evicted past the budget). Other writers may be adding at the same time, so the
 * total is read once per transaction rather than kept in memory: with several writers the budget can
 * be passed by what the others add during one batch, and is restored by the next eviction.
 */
export class PgMetadataCache {
  readonly #pool: pg.Pool
  readonly #budget: number
  readonly #readonly: boolean
  readonly #lockTimeoutMs: number

  constructor(pool: pg.Pool, budgetBytes: number, readonly: boolean, lockTimeoutMs: number) {
    this.#pool = pool
    this.#budget = budgetBytes
    this.#readonly = readonly
    this.#lockTimeoutMs = lockTimeoutMs
  }

  get budget(): number {
    return this.#budget
  }

  transaction(c: pg.ClientBase): CacheTx {
    let total: number | undefined
    const evict = async (keep: Buffer) => {
      while (total! > this.#budget) {
        const gone = await run<{ stored_bytes: number }>(c, 'cacheEvict', [keep, total! - this.#budget])
        if (gone.length === 0) return
        for (const g of gone) total! -= g.stored_bytes
      }
    }
    return {
      settle: async () => {
        total = (await run<{ n: number }>(c, 'cacheTotal', []))[0]!.n
        await evict(Buffer.alloc(0))
      },
      put: async (infohash, rawInfo) => {
        checkKey(infohash)
        if (!(rawInfo instanceof Uint8Array) || rawInfo.length === 0 || rawInfo.length > MAX_RAW_INFO_BYTES) {
          throw new IndexError('BAD_INPUT', `rawInfo must be 1..${MAX_RAW_INFO_BYTES} bytes`)
        }
        if (!infoHashes(infohash, rawInfo))
          throw new IndexError('BAD_INPUT', 'rawInfo does not hash to the infohash')
        const data = deflateRawSync(rawInfo)
        if (data.length > this.#budget) return
        const key = bytea(infohash)
        const [before] = await run<{ stored_bytes: number }>(c, 'cacheSizeOf', [key])
        total ??= (await run<{ n: number }>(c, 'cacheTotal', []))[0]!.n
        await run(c, 'cacheUpsert', [key, data, rawInfo.length, data.length, Date.now()])
        total += data.length - (before?.stored_bytes ?? 0)
        await evict(key)
      },
    }
  }

  async put(infohash: Uint8Array, rawInfo: Uint8Array): Promise<void> {
    if (this.#readonly) throw new IndexError('INDEX_UNWRITABLE', 'the index was opened read-only')
    checkKey(infohash)
    await inKeyedTransaction(this.#pool, [infohash], this.#lockTimeoutMs, (c) =>
      this.transaction(c).put(infohash, rawInfo),
    )
  }

  async get(infohash: Uint8Array, touch: boolean): Promise<Uint8Array | undefined> {
    checkKey(infohash)
    const key = bytea(infohash)
    const [row] = await run<{ data: Uint8Array }>(this.#pool, 'cacheGet', [key])
    if (row === undefined) return undefined
    if (touch && !this.#readonly) await run(this.#pool, 'cacheTouch', [Date.now(), key])
    return new Uint8Array(inflateRawSync(row.data))
  }
}
