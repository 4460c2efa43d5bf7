import type pg from 'pg'
import { INFOHASH_V2_BYTES } from '../constants.js'
import type { LivenessEntry } from '../write/liveness-input.js'
import { v2PrefixRange } from '../write/statements.js'
import { bytea } from './statements.js'

// Swarm liveness on Postgres: the same rule as ../write/liveness.ts (the newest observation wins, so
// replays and out-of-order batches converge). Each update is one row-locked statement whose result
// depends only on the row and the entry, so concurrent writers need no advisory locks here.
const SET = `peers_seen = case when last_alive_at is null or last_alive_at <= $1 then $2 else peers_seen end,
  last_alive_at = greatest(coalesce(last_alive_at, $1), $1)`

const BY_V1 = `update torrents set ${SET} where infohash_v1 = $3`
const BY_V2 = `update torrents set ${SET} where infohash_v2 = $3`
const BY_V2_PREFIX = `update torrents set ${SET}
  where infohash_v2 >= $3 and infohash_v2 <= $4`

/** One transaction for the batch; returns how many entries matched a torrent (others are ignored). */
export async function recordLivenessPg(pool: pg.Pool, entries: readonly LivenessEntry[]): Promise<number> {
  if (entries.length === 0) return 0
  const c = await pool.connect()
  try {
    await c.query('begin')
    let matched = 0
    for (const { infohash, at, peers } of entries) {
      const ih = bytea(infohash)
      const sql = infohash.length === INFOHASH_V2_BYTES ? BY_V2 : BY_V1
      let n = (
        await c.query({ name: sql === BY_V1 ? 'liveV1' : 'liveV2', text: sql, values: [at, peers, ih] })
      ).rowCount
      if (n === 0 && infohash.length !== INFOHASH_V2_BYTES) {
        const [lo, hi] = v2PrefixRange(infohash)
        n = (
          await c.query({
            name: 'liveV2Prefix',
            text: BY_V2_PREFIX,
            values: [at, peers, bytea(lo), bytea(hi)],
          })
        ).rowCount
      }
      if ((n ?? 0) > 0) matched++
    }
    await c.query('commit')
    return matched
  } catch (err) {
    await c.query('rollback').catch(() => undefined)
    throw err
  } finally {
    c.release()
  }
}
