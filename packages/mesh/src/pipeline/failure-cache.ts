import type { Clock } from '../clock.js'

export interface FailureCacheOptions {
  clock: Clock
  /** Entries kept at most; the least recently failed are forgotten first. */
  maxEntries: number
  /** How long the first failure blocks a retry. Each further failure doubles it… */
  baseTtlMs: number
  /** …up to this. */
  maxTtlMs: number
}

export interface FailureEntry {
  failures: number
  lastReason: string
  /** Until when (clock time) the key counts as failed. */
  until: number
}

export interface FailureCacheCounters {
  recorded: number
  /** Lookups answered "still failed". */
  hits: number
  evicted: number
  size: number
}

/**
 * Remembers keys (infohashes) whose work failed, so they are not retried forever. Each failure
 * blocks the key for an exponentially growing time; an entry outlives its block so the next failure
 * grows from where it was, and the number of entries is capped (least recently failed go first).
 */
export class FailureCache {
  private readonly entries = new Map<string, FailureEntry>()
  private readonly c = { recorded: 0, hits: 0, evicted: 0 }

  constructor(private readonly opts: FailureCacheOptions) {
    if (!(opts.maxEntries >= 1)) throw new RangeError('maxEntries must be ≥ 1')
  }

  record(key: string, reason: string): FailureEntry {
    const prev = this.entries.get(key)
    const failures = (prev?.failures ?? 0) + 1
    const ttl = Math.min(this.opts.maxTtlMs, this.opts.baseTtlMs * 2 ** (failures - 1))
    const entry: FailureEntry = { failures, lastReason: reason, until: this.opts.clock.now() + ttl }
    // Re-insert so Map order is least-recently-failed first.
    this.entries.delete(key)
    this.entries.set(key, entry)
    this.c.recorded += 1
    while (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value as string
      this.entries.delete(oldest)
      this.c.evicted += 1
    }
    return entry
  }

  /** The entry while the key is blocked; undefined once its block has run out. */
  get(key: string): FailureEntry | undefined {
    const e = this.entries.get(key)
    if (e === undefined || e.until <= this.opts.clock.now()) return undefined
    return e
  }

  isBlocked(key: string): boolean {
    const blocked = this.get(key) !== undefined
    if (blocked) this.c.hits += 1
    return blocked
  }

  /** Forgets a key, e.g. after it finally succeeded. */
  delete(key: string): void {
    this.entries.delete(key)
  }

  counters(): FailureCacheCounters {
    return { ...this.c, size: this.entries.size }
  }
}
