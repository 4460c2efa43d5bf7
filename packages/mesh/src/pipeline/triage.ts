import { toHex } from '../hex.js'
import { BloomFilter } from './bloom-filter.js'
import type { FailureCache } from './failure-cache.js'
import { Heap } from './heap.js'

/** What triage needs from the index: whether metadata for an infohash is already held. */
export interface KnownInfohashes {
  has(infohash: Uint8Array): Promise<boolean>
}

export interface TriageOptions {
  known: KnownInfohashes
  /** Keys that failed recently are skipped while blocked. */
  failures?: FailureCache
  /** Candidates waiting for a fetch at most; past this a newcomer is dropped (it has the lowest priority). */
  maxPending: number
  /** Sizing of each Bloom generation; when one is full a fresh one takes over and the previous is kept. */
  bloomItems?: number
  bloomFalsePositiveRate?: number
}

export type TriageVerdict =
  'new' | 'pending' | 'in-flight' | 'known-bloom' | 'known-index' | 'failed' | 'dropped' | 'closed'

export interface Candidate {
  infohash: Uint8Array
  hex: string
  /** Sightings while it waited: the priority. */
  sightings: number
  /**
   * Only offered as background work (a copy a community member holds, `replicate all`): handed out
   * after every candidate sighted on the DHT, so pooling never slows the pool's own coverage.
   */
  background: boolean
}

interface HeapEntry {
  sightings: number
  background: boolean
  seq: number
  hex: string
}

export type TriageCounters = Record<TriageVerdict, number> & {
  pending: number
  inFlight: number
  indexLookups: number
}

/**
 * Decides which sighted infohashes are worth a metadata fetch. An infohash is skipped when the
 * Bloom filter says we already handled it, when the index has it (a Bloom miss costs one index
 * lookup; the answer is then remembered in the filter), while it is pending or in flight (a repeat
 * sighting raises its priority instead), or while the failure cache blocks it. `next()` hands out
 * the most-sighted pending candidate first, oldest first among equals.
 */
export class Triage {
  private bloom: BloomFilter
  private previousBloom: BloomFilter | undefined
  private readonly pending = new Map<string, Candidate>()
  private readonly checking = new Map<string, number>()
  private readonly inFlight = new Set<string>()
  /** A max-heap with lazy deletion: stale entries (sightings changed) are skipped when popped. */
  private readonly heap = new Heap<HeapEntry>((a, b) =>
    a.background !== b.background
      ? b.background
      : a.sightings > b.sightings || (a.sightings === b.sightings && a.seq < b.seq),
  )
  private seq = 0
  private readonly waiters: ((c: Candidate | undefined) => void)[] = []
  private closed = false
  private readonly c: TriageCounters
  private readonly bloomItems: number
  private readonly bloomRate: number

  constructor(private readonly opts: TriageOptions) {
    this.bloomItems = opts.bloomItems ?? 1_000_000
    this.bloomRate = opts.bloomFalsePositiveRate ?? 1e-4
    this.bloom = new BloomFilter({ expectedItems: this.bloomItems, falsePositiveRate: this.bloomRate })
    this.c = {
      new: 0,
      pending: 0,
      'in-flight': 0,
      'known-bloom': 0,
      'known-index': 0,
      failed: 0,
      dropped: 0,
      closed: 0,
      inFlight: 0,
      indexLookups: 0,
    }
  }

  /** Considers one sighting of `infohash`; `background`: see Candidate. */
  async offer(infohash: Uint8Array, background = false): Promise<TriageVerdict> {
    const verdict = await this.decide(infohash, background)
    this.c[verdict] += 1
    return verdict
  }

  /** The highest-priority candidate, waiting while there is none; undefined once closed. */
  next(): Promise<Candidate | undefined> {
    const c = this.tryNext()
    if (c !== undefined || this.closed) return Promise.resolve(c)
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  tryNext(): Candidate | undefined {
    for (;;) {
      const top = this.heap.pop()
      if (top === undefined) return undefined
      const cand = this.pending.get(top.hex)
      if (cand === undefined || cand.sightings !== top.sightings || cand.background !== top.background)
        continue
      this.pending.delete(top.hex)
      this.inFlight.add(top.hex)
      return cand
    }
  }

  /** The fetch succeeded (or the item is otherwise settled): remember it as known. */
  settle(infohash: Uint8Array): void {
    this.inFlight.delete(toHex(infohash))
    this.remember(infohash)
  }

  /** The fetch gave up: forget it is in flight so a later sighting may try again (if not blocked). */
  release(infohash: Uint8Array): void {
    this.inFlight.delete(toHex(infohash))
  }

  /** Wakes every waiting consumer with undefined; offers are refused from now on. */
  close(): void {
    this.closed = true
    for (const w of this.waiters.splice(0)) w(undefined)
  }

  get pendingCount(): number {
    return this.pending.size
  }

  get inFlightCount(): number {
    return this.inFlight.size
  }

  counters(): TriageCounters {
    return { ...this.c, pending: this.pending.size, inFlight: this.inFlight.size }
  }

  private async decide(infohash: Uint8Array, background: boolean): Promise<TriageVerdict> {
    if (this.closed) return 'closed'
    const hex = toHex(infohash)
    if (this.inFlight.has(hex)) return 'in-flight'
    const waiting = this.pending.get(hex)
    if (waiting !== undefined) {
      waiting.sightings += 1
      if (!background) waiting.background = false
      this.push(waiting)
      return 'pending'
    }
    const checks = this.checking.get(hex)
    if (checks !== undefined) {
      this.checking.set(hex, checks + 1)
      return 'pending'
    }
    if (this.bloom.has(infohash) || this.previousBloom?.has(infohash) === true) return 'known-bloom'
    if (this.opts.failures?.isBlocked(hex) === true) return 'failed'
    if (this.pending.size + this.checking.size >= this.opts.maxPending) return 'dropped'
    this.checking.set(hex, 1)
    this.c.indexLookups += 1
    let known: boolean
    try {
      known = await this.opts.known.has(infohash)
    } catch (err) {
      this.checking.delete(hex)
      throw err
    }
    // Sightings that arrived while we asked the index count toward the priority.
    const sightings = this.checking.get(hex) ?? 1
    this.checking.delete(hex)
    if (known) {
      this.remember(infohash)
      return 'known-index'
    }
    if (this.closed) return 'closed'
    const cand: Candidate = { infohash, hex, sightings, background }
    this.pending.set(hex, cand)
    this.push(cand)
    const w = this.waiters.shift()
    if (w !== undefined) w(this.tryNext())
    return 'new'
  }

  private remember(infohash: Uint8Array): void {
    if (this.bloom.count >= this.bloomItems) {
      this.previousBloom = this.bloom
      this.bloom = new BloomFilter({ expectedItems: this.bloomItems, falsePositiveRate: this.bloomRate })
    }
    this.bloom.add(infohash)
  }

  private push(cand: Candidate): void {
    this.heap.push({ sightings: cand.sightings, background: cand.background, seq: this.seq++, hex: cand.hex })
    // Rebuild when stale entries dominate, so repeat sightings cannot grow the heap without bound.
    if (this.heap.size > 2 * this.pending.size + 64) {
      this.heap.rebuild(
        [...this.pending.values()].map((c) => ({
          sightings: c.sightings,
          background: c.background,
          seq: this.seq++,
          hex: c.hex,
        })),
      )
    }
  }
}
