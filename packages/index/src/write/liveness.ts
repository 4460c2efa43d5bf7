import type BetterSqlite3 from 'better-sqlite3'
import { INFOHASH_V2_BYTES } from '../constants.js'
import type { LivenessEntry } from './liveness-input.js'
import { v2PrefixRange } from './statements.js'

// Swarm liveness on SQLite (migration 004). The newest observation wins: last_alive_at only moves
// forward and peers_seen is the count of the get_peers at that time, so replaying a batch, or
// receiving batches out of order, leaves the same row. SET expressions read the old row (SQL), so
// peers_seen is decided against the last_alive_at before this update.
const SET = `peers_seen = case when last_alive_at is null or last_alive_at <= @at then @peers else peers_seen end,
  last_alive_at = case when last_alive_at is null or last_alive_at < @at then @at else last_alive_at end`

export interface LivenessStatements {
  byV1: BetterSqlite3.Statement
  byV2: BetterSqlite3.Statement
  byV2Prefix: BetterSqlite3.Statement
}

export function prepareLiveness(raw: BetterSqlite3.Database): LivenessStatements {
  return {
    byV1: raw.prepare(`update torrents set ${SET} where infohash_v1 = @ih`),
    byV2: raw.prepare(`update torrents set ${SET} where infohash_v2 = @ih`),
    // BEP 52: a v2 swarm (v2-only or the v2 half of a hybrid) is on the DHT under the first 20 bytes
    // of its v2 infohash.
    byV2Prefix: raw.prepare(`update torrents set ${SET} where infohash_v2 >= @lo and infohash_v2 <= @hi`),
  }
}

/** One IMMEDIATE transaction for the batch; returns how many entries matched a torrent (others are ignored). */
export function recordLivenessSqlite(
  raw: BetterSqlite3.Database,
  s: LivenessStatements,
  entries: readonly LivenessEntry[],
): number {
  let matched = 0
  const run = raw.transaction(() => {
    for (const { infohash, at, peers } of entries) {
      const p = { at, peers }
      if (infohash.length === INFOHASH_V2_BYTES) {
        matched += s.byV2.run({ ...p, ih: infohash }).changes > 0 ? 1 : 0
        continue
      }
      if (s.byV1.run({ ...p, ih: infohash }).changes > 0) {
        matched++
        continue
      }
      const [lo, hi] = v2PrefixRange(infohash)
      matched += s.byV2Prefix.run({ ...p, lo, hi }).changes > 0 ? 1 : 0
    }
  })
  run.immediate()
  return matched
}
