// Iterative lookups (BEP 5 "find_node"/"get_peers" traversal) over one shared socket, with the
// contract of k-rpc's `_closest(target, message, background, visit, cb)`. k-rpc wakes every
// running lookup on every finished query (each one then sorts its own KBucket), which is
// quadratic in concurrent lookups. Here a lookup is woken only by its own replies, and lookups
// waiting for a global slot queue first come first served (by start; wait-queue.ts): each
// finished query wakes at most as many waiters as there are free slots, and a lookup sends only
// while no older lookup waits.
import { isBytes, isDict } from '../bencode.js'
import type { BValue } from '../bencode.js'
import { COMPACT_NODE_LENGTH, ID_LENGTH } from '../constants.js'
import type { KrpcMessage, KrpcOutgoingQuery, QueryTarget, RemoteInfo } from '../krpc/types.js'
import type { PeerAddress } from '../transport/types.js'
import { WaitQueue } from './wait-queue.js'
import type {
  LookupContact,
  LookupDone,
  LookupHandle,
  LookupNetwork,
  LookupStats,
  LookupVisit,
  SchedulerCounters,
} from './types.js'
import { CandidateList, addressKey } from './candidates.js'
import type { Candidate } from './candidates.js'

/** Candidates kept per lookup, in multiples of k: enough to route around failed nodes. */
const CANDIDATE_CAP_PER_K = 8
/** Times a lookup that ran dry with fewer than k live candidates asks the routing table again. */
const MAX_RESEEDS = 2

export class LookupScheduler {
  readonly counters: SchedulerCounters = { started: 0, active: 0, wakeups: 0 }
  private readonly waiting = new WaitQueue<Lookup>()
  private readonly waitingBackground = new WaitQueue<Lookup>()
  private draining = false

  constructor(readonly net: LookupNetwork) {}

  start(
    target: Buffer,
    message: KrpcOutgoingQuery,
    background: boolean,
    visit: LookupVisit | null,
    cb: LookupDone,
  ): LookupHandle {
    const l = new Lookup(this, this.counters.started++, target, message, background, visit, cb)
    this.counters.active++
    l.begin()
    return l
  }

  /** Call after every finished query on the socket (its 'update' event). */
  onQueryFinished(): void {
    const net = this.net
    if (net.destroyed()) {
      for (const q of [this.waiting, this.waitingBackground])
        for (let l = q.shift(); l; l = q.shift()) l.wake()
      return
    }
    // Each waiter is woken at most once per call: one that finds no slot after all queues again.
    for (let n = this.waiting.length; n > 0 && net.inflight() < net.concurrency; n--) {
      this.wakeNext(this.waiting)
    }
    // Background lookups come after every waiting foreground one, as k-rpc's 'postupdate'.
    const bg = Math.min(net.concurrency, Math.max(1, net.backgroundConcurrency))
    for (let n = this.waitingBackground.length; n > 0 && net.inflight() < bg; n--) {
      if (this.waiting.length) break
      this.wakeNext(this.waitingBackground)
    }
  }

  /** @internal Whether `l` may send now: a free slot, and no older lookup waiting for one. */
  maySend(l: Lookup): boolean {
    const net = this.net
    const inflight = net.inflight()
    if (inflight >= net.concurrency) return false
    if (l.background) {
      const others = inflight - l.inflight + net.queued()
      if (inflight >= net.backgroundConcurrency && others > 0) return false
      if (this.waiting.length) return false
    }
    // A waiting lookup whose own reply arrives takes the slot itself when it is the oldest waiter.
    const q = l.background ? this.waitingBackground : this.waiting
    if (l.waiting && q.firstSeq() === l.seq) {
      q.shift()
      l.waiting = false
    }
    return q.firstSeq() > l.seq
  }

  /** @internal */
  enqueue(l: Lookup): void {
    if (l.waiting) return
    l.waiting = true
    ;(l.background ? this.waitingBackground : this.waiting).push(l)
    // Normally the next finished query drains the queue; a lookup that queued while slots were
    // free (behind earlier waiters) must not depend on one arriving.
    if (!this.draining && this.net.inflight() < this.net.concurrency) {
      this.draining = true
      process.nextTick(() => {
        this.draining = false
        this.onQueryFinished()
      })
    }
  }

  /** @internal */
  finished(): void {
    this.counters.active--
  }

  private wakeNext(q: WaitQueue<Lookup>): void {
    const l = q.shift()
    if (!l) return
    this.counters.wakeups++
    l.wake()
  }
}

class Lookup implements LookupHandle {
  readonly stats: LookupStats = { queries: 0, responders: 0, hops: 0 }
  inflight = 0
  waiting = false
  private readonly candidates: CandidateList
  /** Every address queried: a node dropped from the list and named again is not asked twice. */
  private readonly queried = new Set<string>()
  private boot: PeerAddress[] = []
  private stopped = false
  private aborted = false
  private done = false
  private reseeds = 0

  constructor(
    private readonly sched: LookupScheduler,
    readonly seq: number,
    private readonly target: Buffer,
    private readonly message: KrpcOutgoingQuery,
    readonly background: boolean,
    private readonly visit: LookupVisit | null,
    private readonly cb: LookupDone,
  ) {
    this.candidates = new CandidateList(target, CANDIDATE_CAP_PER_K * sched.net.k)
  }

  begin(): void {
    const net = this.sched.net
    const seeds = this.seed()
    // As k-rpc: the bootstrap list is asked when the routing table knows fewer nodes than it lists.
    if (seeds === 0 || seeds < net.bootstrap.length) this.boot = [...net.bootstrap]
    this.pump()
  }

  stop(): void {
    this.stopped = this.aborted = true
    if (this.inflight === 0) this.finish()
  }

  wake(): void {
    this.waiting = false
    this.pump()
  }

  private seed(): number {
    let n = 0
    for (const c of this.sched.net.routingClosest(this.target, this.sched.net.k)) {
      if (this.addNode(c, 0)) n++
    }
    return n
  }

  private pump(): void {
    if (this.done) return
    if (this.sched.net.destroyed()) this.stopped = true
    while (!this.stopped) {
      const next = this.next()
      if (!next) break
      if (!this.sched.maySend(this)) {
        this.sched.enqueue(this)
        return
      }
      this.send(next)
    }
    if (this.inflight === 0 && !this.waiting) this.finish()
  }

  /**
   * The first unqueried node among the k closest that have not failed. Termination (next() is
   * null with nothing in flight): the k closest live candidates have all answered. k-rpc stops
   * once the k closest it has heard of were queried, failed ones included, so a dead node among
   * them leaves its lookup short of k answers; here the next live candidate takes its place.
   */
  private next(): Candidate | PeerAddress | null {
    while (this.boot.length) {
      const b = this.boot[0]!
      if (!this.queried.has(addressKey(b))) return b
      this.boot.shift()
    }
    const k = this.sched.net.k
    let live = 0
    for (const c of this.candidates.items) {
      if (c.state === 'failed') continue
      if (c.state === 'fresh') return c
      if (++live >= k) return null
    }
    // Fewer than k live candidates: the routing table may have learned more since (k-rpc asks it
    // again on every wake-up while its own table is short).
    if (this.inflight === 0 && this.reseeds < MAX_RESEEDS) {
      this.reseeds++
      if (this.seed() > 0) return this.next()
    }
    return null
  }

  private send(to: Candidate | PeerAddress): void {
    const c = 'state' in to ? to : null
    if (c) c.state = 'inflight'
    else this.boot.shift()
    this.queried.add(addressKey(to))
    this.inflight++
    this.stats.queries++
    const peer: QueryTarget = c ? { host: c.host, port: c.port, id: c.id } : { host: to.host, port: to.port }
    this.sched.net.query(peer, this.message, (err, res, from) => this.onReply(c, err, res, from))
  }

  private onReply(c: Candidate | null, err: Error | null, res: KrpcMessage | null, from: RemoteInfo): void {
    this.inflight--
    const r = !err && res && isDict(res.r) ? res.r : null
    const id = r && isBytes(r.id, ID_LENGTH) ? r.id : null
    if (!r || !id) {
      if (c) {
        c.state = 'failed'
        const code = (err as { code?: unknown } | null)?.code
        if (code === 'ETIMEDOUT' || code === 'EUNEXPECTEDNODE') this.sched.net.removeContact(c)
      }
    } else {
      this.stats.responders++
      const depth = c ? c.depth : 0
      this.stats.hops = Math.max(this.stats.hops, depth + 1)
      if (c) c.state = 'answered'
      else if (!id.equals(this.sched.net.ownId)) {
        // A bootstrap node: it joins the candidates under the id it answered with.
        this.queried.add(addressKey(from))
        this.candidates.add({ id, host: from.host, port: from.port }, 'answered', 0)
      }
      if (!this.stopped) this.addNodes(r.nodes, depth + 1)
      if (this.visit && !this.aborted && this.visit(res!, from) === false) this.stopped = true
    }
    this.pump()
  }

  private addNodes(nodes: BValue | undefined, depth: number): void {
    if (!isBytes(nodes)) return
    for (let o = 0; o + COMPACT_NODE_LENGTH <= nodes.length; o += COMPACT_NODE_LENGTH) {
      const port = nodes.readUInt16BE(o + ID_LENGTH + 4)
      if (port === 0) continue
      const h = o + ID_LENGTH
      const host = `${nodes[h]}.${nodes[h + 1]}.${nodes[h + 2]}.${nodes[h + 3]}`
      // A view into the reply: candidates live as long as the lookup, never in the routing table.
      this.addNode({ id: nodes.subarray(o, o + ID_LENGTH), host, port }, depth)
    }
  }

  private addNode(n: LookupContact, depth: number): boolean {
    const key = addressKey(n)
    if (n.id.equals(this.sched.net.ownId) || this.queried.has(key)) return false
    return this.candidates.add(n, 'fresh', depth, key) !== null
  }

  private finish(): void {
    if (this.done) return
    this.done = true
    this.sched.finished()
    process.nextTick(this.cb, null, this.stats.responders)
  }
}
export type {
  LookupHandle,
  LookupNetwork,
  LookupStats,
  LookupVisit,
  LookupDone,
  LookupContact,
  SchedulerCounters,
} from './types.js'
