import { MAX_LIVENESS_BATCH } from '../constants.js'
import { toSeconds } from '../codec/bytes.js'
import { IndexError } from '../errors.js'
import type { LivenessInput } from '../types.js'
import { checkLiveness } from './validate.js'

/** One checked liveness entry: unix seconds and a peer count >= 1. */
export interface LivenessEntry {
  infohash: Uint8Array
  at: number
  peers: number
}

/**
 * Checks a recordLiveness batch (both engines): an array of at most MAX_LIVENESS_BATCH entries, each
 * valid, else BAD_INPUT for the whole batch. Entries with 0 peers are dropped: an empty get_peers
 * answer says nothing about when the swarm was last alive.
 */
export function livenessBatch(inputs: readonly LivenessInput[]): LivenessEntry[] {
  if (!Array.isArray(inputs)) throw new IndexError('BAD_INPUT', 'recordLiveness needs an array')
  if (inputs.length > MAX_LIVENESS_BATCH)
    throw new IndexError('BAD_INPUT', `recordLiveness takes at most ${MAX_LIVENESS_BATCH} entries per call`)
  const now = toSeconds(new Date())
  return inputs.flatMap((l, i) => {
    const { at, peers } = checkLiveness(l, `liveness ${i}`, now)
    return peers === 0 ? [] : [{ infohash: l.infohash, at, peers }]
  })
}
