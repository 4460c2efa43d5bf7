import type { FailureCache } from '../pipeline/failure-cache.js'
import { DueQueue } from './due-queue.js'
import type { DhtContact, Endpoint } from './types.js'

/** When a node that has been sampled once is sampled again. */
export type ResamplePolicy = 'once' | 'productive' | 'always'

export interface NodeBookOptions {
  maxNodes: number
  resample: ResamplePolicy
  /** Floor under a node's BEP-51 `interval`, in seconds (politeness). */
  minIntervalS: number
  /** Cap over a node's `interval` (BEP 51 allows up to 21600 s). */
  maxIntervalS: number
  /** Consecutive failed samples after which a node is forgotten. */
  maxFailures: number
  /**
   * Remembers forgotten nodes (most do not speak BEP 51, or are gone) so that rediscovering them
   * does not cost more timed-out queries while they are blocked.
   */
  unresponsive?: FailureCache
}

export interface NodeEntry extends DhtContact {
  key: string
  /** Clock time at which it may be sampled; Infinity when retired. */
  due: number
  samples: number
  failures: number
  /** New infohashes credited to its latest sample (decides the 'productive' policy). */
  newSinceLastSample: number
  /** Its last reply said it stores more infohashes (`num`) than the sample showed. */
  holdsMore: boolean
  /** Revealed by a peer's PORT message: sampled ahead of ordinary nodes. */
  directed: boolean
}

export interface NodeBookCounters {
  known: number
  due: number
  added: number
  /** Adds (or promotions) of nodes revealed by a peer's PORT message. */
  directed: number
  evicted: number
  retired: number
  forgotten: number
  /** Adds refused because the node was recently forgotten as unresponsive. */
  skippedUnresponsive: number
}

const key = (e: Endpoint): string => `${e.host}:${e.port}`

/**
 * The nodes the harvester knows and when each may next be sampled. A node is sampled no sooner
 * than the `interval` it announced (BEP 51); after that, the policy decides whether it is sampled
 * again. Bounded: past `maxNodes` the oldest entries are evicted (directed ones last).
 */
export class NodeBook {
  private readonly nodes = new Map<string, NodeEntry>()
  private readonly c = { added: 0, directed: 0, evicted: 0, retired: 0, forgotten: 0, skippedUnresponsive: 0 }
  /** Each entry's revision: bumped on every change of `due` or `directed`, so old queue slots go stale. */
  private readonly revs = new Map<NodeEntry, number>()
  private rev = 0
  private directedCount = 0
  /** Directed nodes are handed out before ordinary ones, so each kind has its own queue. */
  private readonly directedQueue = new DueQueue<NodeEntry>(
    (e) => this.revs.get(e),
    () => this.directedCount,
  )
  private readonly ordinaryQueue = new DueQueue<NodeEntry>(
    (e) => this.revs.get(e),
    () => this.nodes.size - this.directedCount,
  )

  constructor(private readonly opts: NodeBookOptions) {}

  get size(): number {
    return this.nodes.size
  }

  /** Nodes ever added (a cheap counter: whether a walk found anything new). */
  get added(): number {
    return this.c.added
  }

  /** Adds a node unless known; a directed sighting moves a known node to the front. */
  add(node: DhtContact, now: number, directed = false): void {
    if (!validEndpoint(node)) return
    const k = key(node)
    const known = this.nodes.get(k)
    if (known !== undefined) {
      if (node.id !== undefined) known.id = node.id
      if (directed && !known.directed && known.samples === 0) {
        this.setDirected(known, true)
        this.requeue(known)
        this.c.directed += 1
      }
      return
    }
    if (this.opts.unresponsive?.isBlocked(k) === true) {
      this.c.skippedUnresponsive += 1
      return
    }
    if (this.nodes.size >= this.opts.maxNodes && !this.evictOne(directed)) return
    const entry: NodeEntry = {
      key: k,
      host: node.host,
      port: node.port,
      ...(node.id !== undefined && { id: node.id }),
      due: now,
      samples: 0,
      failures: 0,
      newSinceLastSample: 0,
      holdsMore: false,
      directed,
    }
    this.nodes.set(k, entry)
    if (directed) this.directedCount += 1
    this.requeue(entry)
    this.c.added += 1
    if (directed) this.c.directed += 1
  }

  /** The node most due at `now` (directed first, then earliest due), or undefined. */
  nextDue(now: number): NodeEntry | undefined {
    return this.dueIn(this.directedQueue, now) ?? this.dueIn(this.ordinaryQueue, now)
  }

  /** Marks a node as being sampled so it is not picked twice. */
  claim(e: NodeEntry): void {
    this.setDue(e, Infinity)
  }

  /** Records a sample reply: `num` and `shown` decide whether it holds more than it showed. */
  sampled(e: NodeEntry, intervalS: number, now: number, num = 0, shown = 0): void {
    e.samples += 1
    e.holdsMore = num > shown
    e.failures = 0
    e.newSinceLastSample = 0
    this.setDirected(e, false)
    const wait = Math.min(this.opts.maxIntervalS, Math.max(this.opts.minIntervalS, intervalS))
    if (this.opts.resample === 'once') {
      this.setDue(e, Infinity)
      this.c.retired += 1
    } else this.setDue(e, now + wait * 1000)
  }

  /** Not ours to sample now (a member owns it): asked again at `due`, with no failure counted. */
  postpone(e: NodeEntry, due: number): void {
    this.setDue(e, due)
  }

  failed(e: NodeEntry, retryAfterMs: number, now: number): void {
    e.failures += 1
    if (e.failures >= this.opts.maxFailures) {
      this.delete(e)
      this.c.forgotten += 1
      this.opts.unresponsive?.record(e.key, 'no sample reply')
    } else this.setDue(e, now + retryAfterMs)
  }

  /** Credits a node with a new infohash from its sample. */
  credit(nodeKey: string): void {
    const e = this.nodes.get(nodeKey)
    if (e !== undefined) e.newSinceLastSample += 1
  }

  counters(now: number): NodeBookCounters {
    let due = 0
    for (const e of this.nodes.values()) if (e.due <= now) due += 1
    return { ...this.c, known: this.nodes.size, due }
  }

  /** Evicts the oldest ordinary entry (or, for a directed newcomer, the oldest of any kind). */
  private evictOne(directed: boolean): boolean {
    for (const e of this.nodes.values()) {
      if (e.directed && !directed) continue
      this.delete(e)
      this.c.evicted += 1
      return true
    }
    return false
  }

  /** The top of `queue` if due at `now`; nodes the 'productive' policy retires are dropped on the way. */
  private dueIn(queue: DueQueue<NodeEntry>, now: number): NodeEntry | undefined {
    for (;;) {
      const top = queue.peek()
      if (top === undefined || top.due > now) return undefined
      const e = top.item
      if (
        this.opts.resample === 'productive' &&
        e.samples > 0 &&
        e.newSinceLastSample === 0 &&
        !e.holdsMore
      ) {
        // Decided only now: credit() for its latest sample arrives after sampled().
        this.setDue(e, Infinity)
        this.c.retired += 1
        continue
      }
      return e
    }
  }

  private setDue(e: NodeEntry, due: number): void {
    e.due = due
    this.requeue(e)
  }

  private setDirected(e: NodeEntry, directed: boolean): void {
    if (e.directed === directed) return
    e.directed = directed
    this.directedCount += directed ? 1 : -1
  }

  /** A new revision for `e`, queued at its current due time in its kind's queue. */
  private requeue(e: NodeEntry): void {
    const rev = ++this.rev
    this.revs.set(e, rev)
    ;(e.directed ? this.directedQueue : this.ordinaryQueue).push(e, e.due, rev)
  }

  private delete(e: NodeEntry): void {
    this.nodes.delete(e.key)
    this.revs.delete(e)
    if (e.directed) this.directedCount -= 1
  }
}

function validEndpoint(e: Endpoint): boolean {
  return (
    typeof e.host === 'string' &&
    e.host.length > 0 &&
    Number.isInteger(e.port) &&
    e.port > 0 &&
    e.port < 65536
  )
}

export { key as endpointKey }
