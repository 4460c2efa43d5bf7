import type { Clock, Timer } from '../clock.js'
import { randomBytes, type Random } from '../random.js'
import { sharedAbortController, withDeadline } from '../pipeline/deadline.js'
import { RateMeter } from '../pipeline/rate-meter.js'
import type { NodeBook } from './node-book.js'
import { type NodeEntry } from './node-book.js'
import type { HarvestDht, DhtContact } from './types.js'

export interface SamplerOptions {
  dht: HarvestDht
  book: NodeBook
  clock: Clock
  random: Random
  /** An infohash from `node`'s sample (the node stores its peers). */
  onSample: (infohash: Uint8Array, node: NodeEntry) => void
  /** find_node walks toward random targets, one every this many ms (0: none). */
  discoveryIntervalMs: number
  /** sample_infohashes queries per second at most. */
  samplesPerSecond: number
  /** sample_infohashes queries in flight at most. */
  sampleConcurrency: number
  /** Wait before re-trying a node whose sample failed. */
  sampleRetryMs: number
  /** Deadline of one sample query. */
  timeoutMs: number
  /** Deadline of one find_node walk. */
  walkTimeoutMs: number
  /**
   * True when a community member owns `node` and it was handed over (the pool): it is skipped and
   * looked at again after `handOverRecheckMs`, so a region whose owner left is re-covered.
   */
  handOver?: (node: NodeEntry) => boolean
  handOverRecheckMs?: number
  /** Where the next find_node walk heads (default: a random id); a pool keeps it in our region. */
  walkTarget?: () => Uint8Array
  /**
   * How many crawlers share discovery (a pool: its members; default 1). Each walks 1/n as often:
   * every node one of them meets is handed to its owner, so together they walk as one harvester.
   */
  walkers?: () => number
  /**
   * A walk that meets no node new to the book doubles the wait before the next, up to this many
   * times `discoveryIntervalMs` (default 32); one that does resets it. On a DHT we have walked
   * through, walking on only costs messages.
   */
  maxDiscoveryBackoff?: number
}

export interface SamplerCounters {
  walks: number
  walkFailures: number
  sampleQueries: number
  sampleFailures: number
  infohashesSampled: number
  /** Times a due node was skipped because a member owns it (the node is handed over once). */
  handedOver: number
  /** Walks that met no node new to the book (each doubled the wait before the next). */
  idleWalks: number
  sampleQueriesPerSecond: number
  infohashesSampledPerSecond: number
  inFlight: number
}

/**
 * Stages 1 and 2 (active side): random find_node walks to discover nodes, and BEP-51 sampling of
 * the nodes in the book at a polite, capped rate. Each query is bounded by a timeout.
 */
export class Sampler {
  private running = false
  private walkTimer: Timer | undefined
  private tickTimer: Timer | undefined
  private walking = false
  private inFlight = 0
  private readonly inFlightDone = new Set<Promise<void>>()
  private abort = sharedAbortController()
  private readonly queries: RateMeter
  private readonly sampledRate: RateMeter
  private readonly c = {
    walks: 0,
    walkFailures: 0,
    sampleQueries: 0,
    sampleFailures: 0,
    infohashesSampled: 0,
    handedOver: 0,
    idleWalks: 0,
  }
  private walkEveryMs: number

  constructor(private readonly opts: SamplerOptions) {
    this.walkEveryMs = opts.discoveryIntervalMs
    this.queries = new RateMeter(opts.clock)
    this.sampledRate = new RateMeter(opts.clock)
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.abort = sharedAbortController()
    const now = this.opts.clock.now()
    for (const c of this.opts.dht.contacts?.() ?? []) this.opts.book.add(c, now)
    if (this.opts.discoveryIntervalMs > 0) this.walk()
    this.scheduleTick()
  }

  /** Stops timers and aborts queries in flight; resolves when they have settled. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.walkTimer?.cancel()
    this.tickTimer?.cancel()
    this.abort.abort(new Error('harvester stopped'))
    await Promise.allSettled([...this.inFlightDone])
  }

  addNodes(nodes: Iterable<DhtContact>): void {
    const now = this.opts.clock.now()
    for (const n of nodes) this.opts.book.add(n, now)
  }

  counters(): SamplerCounters {
    return {
      ...this.c,
      sampleQueriesPerSecond: this.queries.perSecond(),
      infohashesSampledPerSecond: this.sampledRate.perSecond(),
      inFlight: this.inFlight,
    }
  }

  private walk(): void {
    if (!this.running) return
    if (!this.walking) {
      this.walking = true
      this.c.walks += 1
      const done = this.track(
        withDeadline(
          this.opts.clock,
          this.opts.walkTimeoutMs,
          this.abort.signal,
          () => new Error('walk timed out'),
          (signal) =>
            this.opts.dht.findNodes(this.opts.walkTarget?.() ?? randomBytes(this.opts.random, 20), signal),
        )
          .then((nodes) => {
            const before = this.opts.book.added
            this.addNodes(nodes)
            const base = this.opts.discoveryIntervalMs
            if (this.opts.book.added > before) this.walkEveryMs = base
            else {
              this.c.idleWalks += 1
              this.walkEveryMs = Math.min(2 * this.walkEveryMs, base * (this.opts.maxDiscoveryBackoff ?? 32))
            }
          })
          .catch(() => {
            if (this.running) this.c.walkFailures += 1
          })
          .finally(() => {
            this.walking = false
          }),
      )
      void done
    }
    const walkers = Math.max(1, this.opts.walkers?.() ?? 1)
    this.walkTimer = this.opts.clock.setTimeout(() => this.walk(), this.walkEveryMs * walkers)
  }

  private scheduleTick(): void {
    if (!this.running || this.opts.samplesPerSecond <= 0) return
    this.tickTimer = this.opts.clock.setTimeout(() => {
      this.tick()
      this.scheduleTick()
    }, 1000 / this.opts.samplesPerSecond)
  }

  private tick(): void {
    if (this.inFlight >= this.opts.sampleConcurrency) return
    const now = this.opts.clock.now()
    // A few nodes a member owns may be due before one of ours; each costs no query.
    for (let i = 0; i < 32; i++) {
      const node = this.opts.book.nextDue(now)
      if (node === undefined) return
      if (this.opts.handOver?.(node) === true) {
        this.c.handedOver += 1
        this.opts.book.postpone(node, now + (this.opts.handOverRecheckMs ?? 30_000))
        continue
      }
      this.opts.book.claim(node)
      this.track(this.sampleOne(node))
      return
    }
  }

  private async sampleOne(node: NodeEntry): Promise<void> {
    this.inFlight += 1
    this.c.sampleQueries += 1
    this.queries.mark()
    const target = randomBytes(this.opts.random, 20)
    try {
      const reply = await withDeadline(
        this.opts.clock,
        this.opts.timeoutMs,
        this.abort.signal,
        () => new Error('sample timed out'),
        (signal) => this.opts.dht.sample(node, target, signal),
      )
      this.opts.book.sampled(node, reply.interval, this.opts.clock.now(), reply.num, reply.samples.length)
      this.c.infohashesSampled += reply.samples.length
      this.sampledRate.mark(reply.samples.length)
      for (const ih of reply.samples) this.opts.onSample(ih, node)
      this.addNodes(reply.nodes)
    } catch {
      if (!this.running) return
      this.c.sampleFailures += 1
      this.opts.book.failed(node, this.opts.sampleRetryMs, this.opts.clock.now())
    } finally {
      this.inFlight -= 1
    }
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlightDone.add(p)
    void p.finally(() => this.inFlightDone.delete(p))
    return p
  }
}
