// Per-connection bb_pool state: what we batch toward this member (sightings and nodes it owns, what we
// now hold) and a token bucket on what it sends: a member that floods is counted, its excess dropped,
// and past a bound the link is closed. What the member holds is kept by the pool, per member, so it
// outlives a duplicate link the mesh closes.
import type { ExtensionInstance, ExtensionSession, HandlerTable } from '@bbmesh/wire'
import type { Clock, Timer } from '../clock.js'
import {
  MAX_HAVE_ENTRIES,
  MAX_POOL_ENTRIES,
  POOL_PROTOCOL_VERSION,
  type PoolMessages,
  type PoolNode,
  type PooledSighting,
} from './codec.js'

/** Burst and refill of incoming messages per link: a full crawl sends a few per second. */
const BUCKET = 200
const REFILL_PER_S = 100
const CLOSE_AFTER_DROPS = 1_000
/** Entries waiting to go out on one link at most; past it new ones are dropped and counted. */
const MAX_QUEUED = 20_000

/** What a link reports to, and reads from, the pool (SamplePool). */
export interface PoolCore {
  readonly clock: Clock
  readonly nodeId: Uint8Array
  /** Partition ids we derive from nodeId (said in hello). */
  readonly points: number
  readonly flushMs: number
  readonly counters: { messagesIn: number; messagesOut: number; floodDropped: number; outDropped: number }
  /** Whether the member is banned (by the pool or the relay): its link is closed at once. */
  refuses(who: string): boolean
  /** The link dropped one of the member's messages over its budget. */
  flooded(link: PoolLink): void
  linkReady(link: PoolLink): void
  linkClosed(link: PoolLink, unsent: Unsent): void
  received(link: PoolLink, entries: PooledSighting[]): void
  receivedNodes(link: PoolLink, nodes: PoolNode[]): void
  receivedHave(link: PoolLink, infohashes: Uint8Array[]): void
}

/** What was queued on a link and not sent yet. */
export interface Unsent {
  sightings: PooledSighting[]
  nodes: PoolNode[]
  have: Uint8Array[]
}

export class PoolLink implements ExtensionInstance<PoolMessages> {
  readonly handlers: HandlerTable<PoolMessages>
  /** The member's partition id and how many ids it derives from it, once its hello arrived. */
  nodeId: Uint8Array | undefined
  points = 1
  ready = false
  private out: Unsent = {
    sightings: [],
    nodes: [],
    have: [],
  }
  private timer: Timer | undefined
  private tokens = BUCKET
  private refilled: number
  private drops = 0

  constructor(
    private readonly session: ExtensionSession<PoolMessages>,
    private readonly pool: PoolCore,
  ) {
    this.refilled = pool.clock.now()
    this.handlers = {
      hello: (h) => this.admit() && this.onHello(h.nodeId, h.points),
      sightings: (m) => this.admit() && this.pool.received(this, m.entries),
      nodes: (m) => this.admit() && this.pool.receivedNodes(this, m.nodes),
      have: (m) => this.admit() && this.pool.receivedHave(this, m.infohashes),
    }
  }

  /** The member behind this link: its peer id, which the gate bound to the connection. */
  get who(): string {
    return Buffer.from(this.session.peer.peerId ?? []).toString('hex')
  }

  get direction(): 'inbound' | 'outbound' {
    return this.session.peer.direction
  }

  onReady(): void {
    if (this.pool.refuses(this.who)) return this.close('bb_pool: banned')
    this.session.send('hello', {
      version: POOL_PROTOCOL_VERSION,
      nodeId: this.pool.nodeId,
      points: this.pool.points,
    })
  }

  onClose(): void {
    this.ready = false
    this.timer?.cancel()
    this.timer = undefined
    const unsent = this.out
    this.out = { sightings: [], nodes: [], have: [] }
    this.pool.linkClosed(this, unsent)
  }

  queueSighting(s: PooledSighting): boolean {
    return this.queue(this.out.sightings, s, MAX_POOL_ENTRIES)
  }

  queueNode(n: PoolNode): boolean {
    return this.queue(this.out.nodes, n, MAX_POOL_ENTRIES)
  }

  queueHave(infohash: Uint8Array): boolean {
    return this.queue(this.out.have, infohash.subarray(0, 20), MAX_HAVE_ENTRIES)
  }

  close(reason: string): void {
    this.session.peer.close(reason)
  }

  private onHello(nodeId: Uint8Array, points: number): void {
    this.nodeId = nodeId
    this.points = points
    this.ready = true
    this.pool.linkReady(this)
  }

  private queue<T>(list: T[], item: T, perMessage: number): boolean {
    if (!this.ready) return false
    const queued = this.out.sightings.length + this.out.nodes.length + this.out.have.length
    if (queued >= MAX_QUEUED) {
      this.pool.counters.outDropped++
      return false
    }
    list.push(item)
    if (list.length >= perMessage) this.flush()
    else this.timer ??= this.pool.clock.setTimeout(() => this.flush(), this.pool.flushMs)
    return true
  }

  /** Sends everything queued, in messages of at most the per-message bound. */
  flush(): void {
    this.timer?.cancel()
    this.timer = undefined
    if (!this.ready) return
    const { sightings, nodes, have } = this.out
    this.out = { sightings: [], nodes: [], have: [] }
    for (let i = 0; i < sightings.length; i += MAX_POOL_ENTRIES)
      this.send('sightings', { entries: sightings.slice(i, i + MAX_POOL_ENTRIES) })
    for (let i = 0; i < nodes.length; i += MAX_POOL_ENTRIES)
      this.send('nodes', { nodes: nodes.slice(i, i + MAX_POOL_ENTRIES) })
    for (let i = 0; i < have.length; i += MAX_HAVE_ENTRIES)
      this.send('have', { infohashes: have.slice(i, i + MAX_HAVE_ENTRIES) })
  }

  private send<K extends keyof PoolMessages>(type: K, value: PoolMessages[K]): void {
    this.pool.counters.messagesOut++
    this.session.send(type, value)
  }

  private admit(): boolean {
    const now = this.pool.clock.now()
    this.tokens = Math.min(BUCKET, this.tokens + ((now - this.refilled) / 1000) * REFILL_PER_S)
    this.refilled = now
    if (this.tokens < 1) {
      this.pool.counters.floodDropped++
      this.pool.flooded(this)
      if (++this.drops >= CLOSE_AFTER_DROPS) this.close('bb_pool flood')
      return false
    }
    this.tokens--
    this.pool.counters.messagesIn++
    return true
  }
}
