// The outgoing half of KrpcSocket (socket.ts): the transaction table (a Map from tid, so matching
// a response is O(1), not k-rpc-socket's linear scan), queries in flight per host:port, one timeout
// sweep timer, and the outgoing rate cap whose overflow waits in a bounded queue. It is the socket's
// base class rather than a member object so the receive path reaches `pending` and `awaiting`
// with no extra hop per datagram.
import { EventEmitter } from 'node:events'
import { isIP } from 'node:net'
import { lookup } from 'node:dns/promises'
import { bencode } from '../bencode.js'
import type { BInput } from '../bencode.js'
import { QUERY_TIMEOUT_MS } from '../constants.js'
import { DestroyedError, InvalidArgumentError, QueryTimeoutError, QueueFullError } from '../errors.js'
import { isValidPort } from '../input.js'
import { RateLimiter } from '../rate-limit.js'
import type { PeerAddress, Transport } from '../transport/types.js'
import { systemClock, type Clock, type Timer } from '../clock.js'
import type {
  KrpcMessage,
  KrpcOutgoingQuery,
  KrpcSocketOptions,
  KrpcSocketStats,
  QueryCallback,
  QueryTarget,
  RemoteInfo,
} from './types.js'

export interface Pending {
  tid: number
  peer: QueryTarget
  deadline: number
  cb: QueryCallback
  /** host:port, computed once per query for the `awaiting` count. */
  key: string
}

interface Queued {
  peer: QueryTarget
  message: KrpcOutgoingQuery
  cb: QueryCallback
}

export abstract class OutboundQueries extends EventEmitter {
  readonly stats: KrpcSocketStats = {
    datagramsIn: 0,
    queriesIn: 0,
    responsesIn: 0,
    queriesOut: 0,
    timeouts: 0,
    dropped: { oversized: 0, malformed: 0, rateLimited: 0, unexpectedResponse: 0, queueFull: 0 },
  }
  /** k-rpc reads this to decide when to queue. */
  inflight = 0
  destroyed = false
  protected readonly transport: Transport
  private readonly timeoutMs: number
  protected readonly pending = new Map<number, Pending>()
  /** Queries in flight per host:port: who may send a reply larger than one MTU. */
  protected readonly awaiting = new Map<string, number>()
  private readonly queue: Queued[] = []
  private readonly maxPending: number
  private readonly outbound: RateLimiter | null
  protected readonly now: () => number
  private readonly clock: Clock
  private tick = 0
  private timer: Timer | null = null
  private drainTimer: Timer | null = null

  constructor(opts: KrpcSocketOptions) {
    super()
    this.transport = opts.transport
    this.timeoutMs = opts.timeoutMs ?? QUERY_TIMEOUT_MS
    this.maxPending = opts.maxPending ?? 1024
    this.clock = opts.clock ?? systemClock
    const clock = this.clock
    this.now = opts.now ?? (() => clock.now())
    const out = opts.outboundPerSecond
    this.outbound = out ? new RateLimiter(out, Math.max(1, Math.ceil(out / 10)), this.now) : null
  }

  get queued(): number {
    return this.queue.length
  }

  query(peer: QueryTarget, message: KrpcOutgoingQuery, cb: QueryCallback = noop): void {
    if (this.destroyed) return defer(cb, new DestroyedError(), peer)
    // A missing or empty host would "resolve" to {address: null} and come back here forever
    // (issue 17): refuse it, and resolve a name at most once, within the query timeout.
    if (typeof peer.host !== 'string' || peer.host === '' || !isValidPort(peer.port))
      return defer(cb, new InvalidArgumentError('query target needs a host and a port 1..65535'), peer)
    if (!isIP(peer.host)) return this.resolveThenQuery(peer, message, cb)
    if (this.outbound && (this.queue.length > 0 || !this.outbound.take())) {
      if (this.queue.length >= this.maxPending) {
        this.stats.dropped.queueFull++
        return defer(cb, new QueueFullError(), peer)
      }
      this.queue.push({ peer, message, cb })
      this.scheduleDrain()
      return
    }
    this.sendQuery(peer, message, cb)
  }

  private resolveThenQuery(peer: QueryTarget, message: KrpcOutgoingQuery, cb: QueryCallback): void {
    let done = false
    const timer = this.clock.setTimeout(() => {
      if (done) return
      done = true
      this.stats.timeouts++
      cb(new QueryTimeoutError(), null, remote(peer))
    }, this.timeoutMs)
    lookup(peer.host, { family: 4 }).then(
      (r) => {
        if (done) return
        done = true
        timer.cancel()
        if (!isIP(r.address ?? ''))
          cb(new InvalidArgumentError(`cannot resolve ${peer.host}`), null, remote(peer))
        else this.query({ host: r.address, port: peer.port, id: peer.id }, message, cb)
      },
      (err: Error) => {
        if (done) return
        done = true
        timer.cancel()
        cb(err, null, remote(peer))
      },
    )
  }

  private sendQuery(peer: QueryTarget, message: KrpcOutgoingQuery, cb: QueryCallback): void {
    let tid = this.tick
    do tid = (tid + 1) & 0xffff
    while (tid === 0 || this.pending.has(tid))
    this.tick = tid
    const t = Buffer.allocUnsafe(2)
    t.writeUInt16BE(tid, 0)
    const key = addrKey(peer)
    this.pending.set(tid, { tid, peer, deadline: this.now() + this.timeoutMs, cb, key })
    this.awaiting.set(key, (this.awaiting.get(key) ?? 0) + 1)
    this.inflight++
    this.stats.queriesOut++
    const a = message.seal ? { ...message.a, ...message.seal(t, message.a) } : message.a
    this.send(peer, { t, y: 'q', q: message.q, a })
    this.armTimer()
  }

  private scheduleDrain(): void {
    if (this.drainTimer || !this.outbound) return
    this.drainTimer = this.clock.setTimeout(() => {
      this.drainTimer = null
      while (this.queue.length && this.outbound!.take()) {
        const q = this.queue.shift()!
        this.sendQuery(q.peer, q.message, q.cb)
      }
      if (this.queue.length) this.scheduleDrain()
    }, this.outbound.waitMs() || 1)
  }

  send(peer: PeerAddress | RemoteInfo, message: BInput): void {
    if (this.destroyed) return
    const host = 'host' in peer && peer.host ? peer.host : (peer as RemoteInfo).address
    this.transport.send(bencode(message), { host, port: peer.port })
  }

  cancel(tid: number, err?: Error): void {
    const p = this.pending.get(tid)
    if (p) this.finish(p, err ?? new Error('query was cancelled'), null, remote(p.peer))
  }

  /** On destroy: stops both timers and fails every pending and queued query. */
  protected failAll(): void {
    this.timer?.cancel()
    this.drainTimer?.cancel()
    this.timer = this.drainTimer = null
    for (const p of [...this.pending.values()]) this.finish(p, new DestroyedError(), null, remote(p.peer))
    for (const q of this.queue.splice(0)) q.cb(new DestroyedError(), null, remote(q.peer))
  }

  /** A check every quarter timeout while queries are pending (one timer per socket, not per query). */
  private armTimer(): void {
    if (this.timer) return
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = null
        this.checkTimeouts()
      },
      Math.max(10, Math.floor(this.timeoutMs / 4)),
    )
  }

  private checkTimeouts(): void {
    const t = this.now()
    for (const p of this.pending.values()) {
      if (p.deadline <= t) {
        this.stats.timeouts++
        this.finish(p, new QueryTimeoutError(), null, remote(p.peer))
      }
    }
    if (this.pending.size > 0 && !this.destroyed) this.armTimer()
  }

  protected finish(p: Pending, err: Error | null, res: KrpcMessage | null, from: RemoteInfo): void {
    this.pending.delete(p.tid)
    const left = (this.awaiting.get(p.key) ?? 1) - 1
    if (left > 0) this.awaiting.set(p.key, left)
    else this.awaiting.delete(p.key)
    this.inflight--
    p.cb(err, res, from)
    this.emit('update')
    this.emit('postupdate')
  }
}

export function addrKey(p: { host: string; port: number }): string {
  return `${p.host}:${p.port}`
}

export function remote(p: { host: string; port: number }): RemoteInfo {
  return { address: p.host, host: p.host, port: p.port }
}

function defer(cb: QueryCallback, err: Error, peer: QueryTarget): void {
  process.nextTick(cb, err, null, remote(peer))
}

function noop(): void {}
