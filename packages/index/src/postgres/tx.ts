import type pg from 'pg'

// Several writers (processes, machines) share one database. Each write transaction first takes a
// transaction-scoped advisory lock per infohash it touches, so the read-decide-write steps of ingest
// (match on either infohash, merge hybrid halves, fold sightings) see no other writer's half-done
// work on those torrents, while writers of different torrents proceed in parallel.

/** Deadlock (40P01) and serialization failure (40001): the transaction is safe to run again. */
const RETRYABLE = new Set(['40P01', '40001'])
const MAX_ATTEMPTS = 4

/**
 * The lock key of an infohash: its first 8 bytes. A v2 infohash and its 20-byte truncation (the key
 * a v2 swarm has on the DHT, BEP 52) share the key, so a sighting under either form waits for an
 * ingest of the torrent. Collisions only make two writers wait for each other.
 */
export function lockKey(ih: Uint8Array): bigint {
  return Buffer.from(ih.buffer, ih.byteOffset, ih.byteLength).readBigInt64BE(0)
}

function sqlState(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : ''
}

/**
 * Runs `fn` in one transaction holding the advisory locks of `infohashes`, taken in ascending key
 * order so two writers cannot deadlock on them. Waiting longer than `lockTimeoutMs` fails with
 * lock_not_available (55P03, mapped to INDEX_LOCKED). Retries after a deadlock the server broke.
 */
export async function inKeyedTransaction<T>(
  pool: pg.Pool,
  infohashes: readonly Uint8Array[],
  lockTimeoutMs: number,
  fn: (c: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const keys = [...new Set(infohashes.map(lockKey))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (let attempt = 1; ; attempt++) {
    const c = await pool.connect()
    let broken: Error | undefined
    try {
      await c.query('begin')
      // 0 would mean "wait forever" to Postgres; busyTimeoutMs 0 means "do not wait".
      await c.query(`set local lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`)
      if (keys.length > 0) {
        await c.query({
          name: 'bbmesh-lock-keys',
          text: 'select pg_advisory_xact_lock(k) from unnest($1::bigint[]) with ordinality as u(k, n) order by n',
          values: [keys.map(String)],
        })
      }
      const out = await fn(c)
      await c.query('commit')
      return out
    } catch (err) {
      try {
        await c.query('rollback')
      } catch (e) {
        broken = e instanceof Error ? e : new Error(String(e))
      }
      if (attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(err))) continue
      throw err
    } finally {
      c.release(broken)
    }
  }
}
