import { FetchError, InfoDictError, type FetchFailureReason } from '../errors.js'
import { endpointKey } from './node-book.js'
import type { Endpoint } from './types.js'

// Small pure helpers of the fetch stage (fetch-stage.ts): how a fetch ended, and peer lists.

/** The failure reason of anything a fetch can throw. */
export function reasonOf(err: unknown): FetchFailureReason {
  if (err instanceof FetchError) return err.reason
  if (err instanceof InfoDictError) return 'bad-metadata'
  return 'other'
}

export function dedupe(peers: Endpoint[]): Endpoint[] {
  const seen = new Set<string>()
  return peers.filter((p) => {
    const k = endpointKey(p)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
