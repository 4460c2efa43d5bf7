// Time as a node sees it. Injected (DhtNodeOptions.clock, MemoryNetworkOptions.clock) so that a
// simulation of thousands of nodes can run on virtual time; the same shape as @bbmesh/mesh's Clock,
// so one virtual clock drives both (dht imports nothing of ours: the match is structural).

/** A cancellable timer handle. */
export interface Timer {
  cancel(): void
}

export interface Clock {
  /** Milliseconds on any monotonic-enough scale. */
  now(): number
  setTimeout(fn: () => void, ms: number): Timer
}

/** Node's own timers and Date.now (timers are not unref'd: a pending query keeps the process alive, as before). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms))
    return { cancel: () => clearTimeout(t) }
  },
}
