// The bb_near server: registered on a member's DHT node through `handle()`. A query whose MAC does
// not verify (none, wrong, made for another tid, target or node id, or seen before) gets exactly the
// 204 "Method Unknown" a node without the method sends (dht/dispatcher.ts), so cooperation stays
// invisible to strangers; it is counted. A member is answered within a per-source budget.
import { timingSafeEqual } from 'node:crypto'
import type { IncomingQuery, NodeInfo, QueryHandler, QueryReply } from '@bbmesh/dht'
import { systemClock, type Clock } from '../clock.js'
import {
  encodeNearReply,
  nearMac,
  NEAR_MAC_BYTES,
  NEAR_MAX_INFOHASHES,
  NEAR_MAX_NODES,
  NEAR_MAX_TID_BYTES,
  NEAR_METHOD,
} from './codec.js'

/** What the server needs of a DHT node; @bbmesh/dht's DhtNode fits it. */
export interface NearDht {
  handle(method: string, handler: QueryHandler): void
  unhandle(method: string): void
  closest(target: Uint8Array, n: number): readonly NodeInfo[]
  storedInfohashes(): readonly Buffer[]
}

export interface NearServerOptions {
  /** CommunityKeys.nearMacKey. */
  key: Uint8Array
  dht: NearDht
  clock?: Clock
  /** Nodes per reply (at most 8, BEP 5's K). */
  nodes?: number
  /** Infohashes per reply (at most 50: one datagram). */
  infohashes?: number
  /** Answers per source IP: a burst, refilled per second. Default 20 and 5. */
  burst?: number
  perSecond?: number
}

export interface NearCounters {
  answered: number
  /** No MAC, a wrong one, or one seen before: answered 204 like a stock node. */
  rejected: number
  /** Valid MAC, over the source's budget: dropped without a reply. */
  rateLimited: number
}

const ERR_METHOD_UNKNOWN: [number, string] = [204, 'Method Unknown']
/** Sources whose budget is tracked, and MACs remembered against replay; the oldest go first. */
const MAX_SOURCES = 1024
const MAX_SEEN_MACS = 8192

export class NearServer {
  readonly counters: NearCounters = { answered: 0, rejected: 0, rateLimited: 0 }
  private readonly clock: Clock
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private readonly seen = new Set<string>()
  /** The node's store, re-read at most once a second (listing it walks every swarm). */
  private stored: { at: number; list: readonly Buffer[] } | undefined
  private started = false

  constructor(private readonly opts: NearServerOptions) {
    this.clock = opts.clock ?? systemClock
  }

  /** Registers bb_near on the node. Idempotent. */
  start(): void {
    if (this.started) return
    this.started = true
    this.opts.dht.handle(NEAR_METHOD, (q) => this.answer(q))
  }

  /** Unregisters it: the node then answers 204 itself. Idempotent. */
  stop(): void {
    if (!this.started) return
    this.started = false
    this.opts.dht.unhandle(NEAR_METHOD)
  }

  private answer(q: IncomingQuery): QueryReply {
    const { target, mac } = q.args
    if (!Buffer.isBuffer(target) || target.length !== 20 || !this.verify(q, target, mac)) {
      this.counters.rejected++
      return { e: ERR_METHOD_UNKNOWN }
    }
    if (!this.take(q.from.host)) {
      this.counters.rateLimited++
      return null
    }
    this.counters.answered++
    const nodes = this.opts.dht
      .closest(target, Math.min(NEAR_MAX_NODES, this.opts.nodes ?? NEAR_MAX_NODES))
      .filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n.host)) // compact nodes are IPv4 (BEP 5)
    const now = this.clock.now()
    if (this.stored === undefined || now - this.stored.at >= 1_000)
      this.stored = { at: now, list: this.opts.dht.storedInfohashes() }
    const stored = this.stored.list
    const want = Math.min(NEAR_MAX_INFOHASHES, this.opts.infohashes ?? NEAR_MAX_INFOHASHES)
    const infohashes = nearest(stored, target, want)
    return { r: encodeNearReply({ nodes, infohashes, num: stored.length }) }
  }

  private verify(q: IncomingQuery, target: Buffer, mac: unknown): boolean {
    if (!Buffer.isBuffer(mac) || mac.length !== NEAR_MAC_BYTES || q.t.length > NEAR_MAX_TID_BYTES)
      return false
    const want = nearMac(this.opts.key, q.t, target, q.senderId)
    if (!timingSafeEqual(want, mac)) return false
    // The same query sent again (by whoever recorded it) would be answered to its sender: refuse it.
    const key = mac.toString('latin1')
    if (this.seen.has(key)) return false
    if (this.seen.size >= MAX_SEEN_MACS) this.seen.delete(this.seen.values().next().value as string)
    this.seen.add(key)
    return true
  }

  private take(source: string): boolean {
    const now = this.clock.now()
    const burst = this.opts.burst ?? 20
    let b = this.buckets.get(source)
    if (b === undefined) {
      if (this.buckets.size >= MAX_SOURCES) this.buckets.delete(this.buckets.keys().next().value as string)
      b = { tokens: burst, at: now }
      this.buckets.set(source, b)
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * (this.opts.perSecond ?? 5))
    b.at = now
    if (b.tokens < 1) return false
    b.tokens--
    return true
  }
}

/** The `n` infohashes XOR-nearest `target`, nearest first (a bounded insertion list: n ≤ 50). */
function nearest(all: readonly Buffer[], target: Buffer, n: number): Buffer[] {
  const best: { d: Buffer; ih: Buffer }[] = []
  const d = Buffer.alloc(20)
  for (const ih of all) {
    if (ih.length !== 20) continue
    for (let i = 0; i < 20; i++) d[i] = ih[i]! ^ target[i]!
    if (best.length === n && Buffer.compare(d, best[n - 1]!.d) >= 0) continue
    let at = best.length
    while (at > 0 && Buffer.compare(d, best[at - 1]!.d) < 0) at--
    best.splice(at, 0, { d: Buffer.from(d), ih })
    if (best.length > n) best.pop()
  }
  return best.map((b) => b.ih)
}
