import type { HarvestIndex, PendingInfohash } from './types.js'

/**
 * Feeds the sightings an earlier run left without metadata back into triage, most-sighted first, so
 * a restart does not forget them. `put` waits for room in the sightings queue (live observations are
 * not crowded out by a drop) and resolves false once the queue is closed. Returns how many it put.
 */
export async function resumePendingSightings(
  index: HarvestIndex,
  limit: number,
  put: (p: PendingInfohash) => Promise<boolean>,
  signal: AbortSignal,
  onError: (err: unknown) => void,
): Promise<number> {
  if (limit <= 0 || index.pendingSightings === undefined) return 0
  let pending: readonly PendingInfohash[]
  try {
    pending = await index.pendingSightings(limit)
  } catch (err) {
    onError(err)
    return 0
  }
  let n = 0
  for (const p of pending) {
    if (signal.aborted) break
    if (p.infohash.length !== 20 && p.infohash.length !== 32) continue
    if (!(await put(p))) break
    n += 1
  }
  return n
}
