// Swarm liveness on the command line (tracker issues 13, 15): `search --alive [DURATION]` keeps only
// torrents whose swarm a harvest saw alive within it, search shows an `alive` column, and `show`
// prints when peers were last seen and how many.
import { parseSince } from '../units.js'

/** `--alive` without a value: seen alive in the last week. */
export const DEFAULT_ALIVE = '7d'

// What `--alive` takes as its value: a duration or an ISO date. Anything else after it is the
// query's first word (commander hands an optional option the next argument: `search --alive ubuntu`).
const ALIVE_VALUE = /^\s*(?:\d+\s*[smhdw]|\d{4}-\d{2}-\d{2}\S*)\s*$/i

/**
 * `--alive [DURATION]` (7d, 12h, or a date, as --since) as the earliest time it counts from, and the
 * query words: a value that is neither a duration nor a date is given back as the first word.
 */
export function parseAlive(
  v: string | true,
  words: readonly string[],
  now = Date.now(),
): { aliveSince: Date; words: string[] } {
  if (v === true || !ALIVE_VALUE.test(v))
    return {
      aliveSince: parseSince(DEFAULT_ALIVE, '--alive', now),
      words: v === true ? [...words] : [v, ...words],
    }
  return { aliveSince: parseSince(v, '--alive', now), words: [...words] }
}

export interface Liveness {
  lastAlive: Date | null
  peersSeen: number | null
}

/** How long ago, in the largest whole unit: "40s", "5m", "3h", "2d". */
export function formatAgo(d: Date, now = Date.now()): string {
  const s = Math.max(0, Math.floor((now - d.getTime()) / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86_400) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86_400)}d`
}

/** The table cell: "3h ago, 14 peers"; '-' when never seen alive. */
export function aliveCell(h: Liveness, now = Date.now()): string {
  if (h.lastAlive === null) return '-'
  const peers = h.peersSeen === null ? '' : `, ${h.peersSeen} peer${h.peersSeen === 1 ? '' : 's'}`
  return `${formatAgo(h.lastAlive, now)} ago${peers}`
}

/** The `--json` fields: ISO time or null, and the count or null. */
export function aliveJson(h: Liveness): { lastAlive: string | null; peersSeen: number | null } {
  return { lastAlive: h.lastAlive?.toISOString() ?? null, peersSeen: h.peersSeen }
}

/** `show`'s line: when and how many, or that no harvest has seen the swarm alive. */
export function aliveLine(h: Liveness, now = Date.now()): string {
  if (h.lastAlive === null) return 'never seen (no harvest found peers for it)'
  return `${h.lastAlive.toISOString()} (${aliveCell(h, now)})`
}
