// The daily rendezvous infohash (docs/PROTOCOL.md, "Rendezvous"): a keyed hash of the UTC day, so
// members meet on a fresh swarm every day that strangers can neither compute nor link to the last.
import { createHmac } from 'node:crypto'

const LABEL = 'bbmesh-rendezvous-v1'
const DAY_MS = 86_400_000

/** `YYYY-MM-DD` of the UTC day holding `ms`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** HMAC-SHA256(rendezvousKey, "bbmesh-rendezvous-v1" || 0x00 || "YYYY-MM-DD"), first 20 bytes. */
export function rendezvousInfoHash(rendezvousKey: Uint8Array, day: string): Buffer {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`bad day ${day}`)
  return createHmac('sha256', rendezvousKey)
    .update(LABEL)
    .update(Buffer.from([0]))
    .update(day)
    .digest()
    .subarray(0, 20)
}

/**
 * The days whose swarm a member uses at `ms`: today, plus the neighbouring day when within
 * `overlapMs` of midnight, so members whose clocks disagree slightly still meet across the change.
 */
export function rendezvousDays(ms: number, overlapMs: number): string[] {
  const days = [utcDay(ms)]
  const sinceMidnight = ms % DAY_MS
  if (sinceMidnight < overlapMs) days.push(utcDay(ms - DAY_MS))
  if (DAY_MS - sinceMidnight <= overlapMs) days.push(utcDay(ms + DAY_MS))
  return days
}
