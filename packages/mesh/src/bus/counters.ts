/** What a bus did and refused. Every rejected item is counted once per read and never delivered. */
export interface BusCounters {
  /** Items accepted with a new seq. */
  accepted: number
  /** Did not open under the bus key and its AAD: tampered, foreign, or moved to another slot/seq. */
  undecryptable: number
  /** Opened, but not a well-formed plaintext dict. */
  malformed: number
  /** The writer signature inside does not verify. */
  badSignature: number
  /** A `feed:<id>` slot whose content is signed by a key whose SHA-1 is not <id>. */
  wrongWriter: number
  /** The slot or seq inside differs from the BEP 44 salt or seq outside (a re-sealed replay). */
  mismatch: number
  /** An older seq than one already accepted (a storer serving a stale copy). */
  rollback: number
  /** Different content at a seq already accepted. */
  equivocation: number
  /** DHT reads that failed (network, malformed replies). */
  getErrors: number
  /** Our own puts that were stored. */
  puts: number
  /** Puts retried after a CAS (301) or seq (302) refusal. */
  putRetries: number
  republished: number
  republishFailures: number
  /** Republishes that found a newer seq at one of our slots. */
  overtaken: number
  /** `watch` callbacks that threw (the watch keeps going). */
  watcherErrors: number
}

export type RejectionCounter = 'undecryptable' | 'malformed' | 'badSignature' | 'wrongWriter' | 'mismatch'

export function emptyBusCounters(): BusCounters {
  return {
    accepted: 0,
    undecryptable: 0,
    malformed: 0,
    badSignature: 0,
    wrongWriter: 0,
    mismatch: 0,
    rollback: 0,
    equivocation: 0,
    getErrors: 0,
    puts: 0,
    putRetries: 0,
    republished: 0,
    republishFailures: 0,
    overtaken: 0,
    watcherErrors: 0,
  }
}
