// Our KRPC socket. It speaks the same interface as k-rpc-socket (so k-rpc can take it through
// `opts.krpcSocket`) but fixes what is unsafe there: transactions live in a Map (O(1) matching,
// not a linear scan), a response must come from the exact host:port that was queried, queries
// beyond the outgoing rate cap wait in a bounded queue, incoming queries pass a per-IP token
// bucket, and every datagram is size-capped and strictly decoded. Drops are counted.
import { EventEmitter } from 'node:events'
import { isIP } from 'node:net'
import { lookup } from 'node:dns/promises'
import { bdecode, bencode, bencodeResponse, isBytes, isDict } from '../bencode.js'
import type { BDict, BInput, BValue } from '../bencode.js'
import {
  ERR_PROTOCOL,
  ID_LENGTH,
  MAX_DATAGRAM_BYTES,
  MAX_NODES_PER_RESPONSE,
  MAX_RESPONSE_DATAGRAM_BYTES,
  MAX_VALUES_PER_RESPONSE,
  QUERY_TIMEOUT_MS,
} from '../constants.js'
import { DestroyedError, KrpcRemoteError, QueryTimeoutError, QueueFullError } from '../errors.js'
import { KeyedRateLimiter, RateLimiter } from '../rate-limit.js'
import type { BoundAddress, PeerAddress, Transport } from '../transport/types.js'
import { systemClock, type Clock, type Timer } from '../clock.js'

/** A decoded message as k-rpc sees it (Buffers for byte strings). */
export interface KrpcMessage {
  t: Buffer
  y: Buffer
  q?: Buffer
  a?: BDict
  r?: BDict
  e?: BValue
  [key: string]: BValue | undefined
}

/** The address object handed to k-rpc callbacks (it reads `host` or `address`). */
export interface RemoteInfo {
  address: string
  host: string
  port: number
}

export interface QueryTarget {
  host: string
  port: number
  id?: Buffer | null
}

export type QueryCallback = (err: Error | null, res: KrpcMessage | null, peer: RemoteInfo) => void

export interface KrpcSocketOptions {
  transport: Transport
  timeoutMs?: number
  /** Incoming queries per second per IP (token bucket); `false` disables. */
  inbound?: { rate: number; burst: number; maxIps: number } | false
  /** Outgoing queries per second; `false` disables the cap. */
  outboundPerSecond?: number | false
  /** Most queries waiting for the outgoing cap; beyond it queries fail with QueueFullError. */
  maxPending?: number
  /** Timeouts and rate caps run on this clock (default: Node's timers). */
  clock?: Clock
  /** Overrides `clock.now` alone (tests of the rate limiter). */
  now?: () => number
}

export interface KrpcSocketStats {
  datagramsIn: number
  queriesIn: number
  responsesIn: number
  queriesOut: number
  timeouts: number
  dropped: {
    oversized: number
    malformed: number
    rateLimited: number
    unexpectedResponse: number
    queueFull: number
  }
}

interface Pending {
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

export interface KrpcOutgoingQuery {
  q: string
  a: { [key: string]: BInput | undefined | null }
}

export class KrpcSocket extends EventEmitter {
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
  private readonly transport: Transport
  private readonly timeoutMs: number
  private readonly pending = new Map<number, Pending>()
  /** Queries in flight per host:port: who may send a reply larger than one MTU. */
  private readonly awaiting = new Map<string, number>()
  private readonly queue: Queued[] = []
  private readonly maxPending: number
  private readonly inbound: KeyedRateLimiter | null
  private readonly outbound: RateLimiter | null
  private readonly now: () => number
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
    const inb = opts.inbound
    this.inbound = inb
      ? new KeyedRateLimiter({ rate: inb.rate, burst: inb.burst, maxKeys: inb.maxIps }, this.now)
      : null
    const out = opts.outboundPerSecond
    this.outbound = out ? new RateLimiter(out, Math.max(1, Math.ceil(out / 10)), this.now) : null
    this.transport.onMessage((buf, from) => this.onDatagram(buf, from))
    this.transport.onError((err) => this.emit('warning', err))
  }

  /** bind(port, host, cb) as k-rpc-socket; prefer `listen()`. */
  bind(port?: number, host?: string, cb?: () => void): void {
    this.listen(port ?? 0, host ?? '0.0.0.0').then(
      () => cb?.(),
      (err: Error) => this.emit('error', err),
    )
  }

  async listen(port: number, host: string): Promise<BoundAddress> {
    const addr = await this.transport.bind(port, host)
    this.emit('listening')
    return addr
  }

  address(): BoundAddress {
    const a = this.transport.address()
    if (!a) throw new Error('not bound')
    return a
  }

  get queued(): number {
    return this.queue.length
  }

  query(peer: QueryTarget, message: KrpcOutgoingQuery, cb: QueryCallback = noop): void {
    if (this.destroyed) return defer(cb, new DestroyedError(), peer)
    if (!isIP(peer.host)) {
      lookup(peer.host, { family: 4 }).then(
        (r) => this.query({ host: r.address, port: peer.port }, message, cb),
        (err: Error) => cb(err, null, remote(peer)),
      )
      return
    }
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
    this.send(peer, { t, y: 'q', q: message.q, a: message.a })
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

  response(
    peer: PeerAddress | RemoteInfo,
    req: { t: Buffer },
    r: { [key: string]: BInput | undefined | null },
  ): void {
    this.send(peer, { t: req.t, y: 'r', r })
  }

  /** A response carrying our `id`, encoded in one pass (the server's hot path). */
  reply(
    peer: PeerAddress,
    req: { t: Buffer },
    id: Buffer,
    r: { [key: string]: BInput | undefined | null },
  ): void {
    if (this.destroyed) return
    this.transport.send(bencodeResponse(req.t, id, r), peer)
  }

  error(peer: PeerAddress | RemoteInfo, req: { t: Buffer }, error: [number, string] | string): void {
    const e = Array.isArray(error) ? error : [ERR_PROTOCOL, error]
    this.send(peer, { t: req.t, y: 'e', e })
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

  async destroy(cb?: () => void): Promise<void> {
    if (!this.destroyed) {
      this.destroyed = true
      this.timer?.cancel()
      this.drainTimer?.cancel()
      this.timer = this.drainTimer = null
      for (const p of [...this.pending.values()]) this.finish(p, new DestroyedError(), null, remote(p.peer))
      for (const q of this.queue.splice(0)) q.cb(new DestroyedError(), null, remote(q.peer))
      await this.transport.close()
      this.emit('close')
    }
    cb?.()
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

  private finish(p: Pending, err: Error | null, res: KrpcMessage | null, from: RemoteInfo): void {
    this.pending.delete(p.tid)
    const left = (this.awaiting.get(p.key) ?? 1) - 1
    if (left > 0) this.awaiting.set(p.key, left)
    else this.awaiting.delete(p.key)
    this.inflight--
    p.cb(err, res, from)
    this.emit('update')
    this.emit('postupdate')
  }

  private onDatagram(buf: Buffer, from: PeerAddress): void {
    if (this.destroyed || from.port === 0) return
    this.stats.datagramsIn++
    // Only a node we are waiting on may send more than one MTU (see MAX_RESPONSE_DATAGRAM_BYTES).
    const large = buf.length > MAX_DATAGRAM_BYTES
    if (large && (buf.length > MAX_RESPONSE_DATAGRAM_BYTES || !this.awaiting.has(addrKey(from)))) {
      this.stats.dropped.oversized++
      return
    }
    let msg: BValue
    try {
      msg = bdecode(buf)
    } catch {
      this.stats.dropped.malformed++
      return
    }
    if (!isDict(msg) || !isBytes(msg.t) || msg.t.length > 32 || !isBytes(msg.y) || msg.y.length !== 1) {
      this.stats.dropped.malformed++
      return
    }
    const y = msg.y[0]
    if (large && y === 0x71) {
      this.stats.dropped.oversized++
      return
    }
    if (y === 0x71 /* q */) return this.onQuery(msg as KrpcMessage, from)
    if (y === 0x72 /* r */ || y === 0x65 /* e */) return this.onResponse(msg as KrpcMessage, from, y === 0x65)
    this.stats.dropped.malformed++
  }

  private onQuery(msg: KrpcMessage, from: PeerAddress): void {
    if (this.inbound && !this.inbound.take(from.host)) {
      this.stats.dropped.rateLimited++
      return
    }
    // BEP 5: a query without a method name or a valid sender id is a protocol error (203).
    if (
      !isBytes(msg.q) ||
      msg.q.length === 0 ||
      msg.q.length > 64 ||
      !isDict(msg.a) ||
      !isBytes(msg.a.id, ID_LENGTH)
    ) {
      this.stats.dropped.malformed++
      this.error(from, msg, [ERR_PROTOCOL, 'malformed query'])
      return
    }
    this.stats.queriesIn++
    msg.a.id = ownCopy(msg.a.id)
    this.emit('query', msg, remote(from))
  }

  private onResponse(msg: KrpcMessage, from: PeerAddress, isError: boolean): void {
    const tid = msg.t.length === 2 ? msg.t.readUInt16BE(0) : -1
    const p = this.pending.get(tid)
    // Only the exact host:port we queried may answer (k-rpc-socket accepts any port of the host).
    if (!p || p.peer.host !== from.host || p.peer.port !== from.port) {
      this.stats.dropped.unexpectedResponse++
      return
    }
    this.stats.responsesIn++
    const info = remote(from)
    if (isError) {
      const e = msg.e
      const code = Array.isArray(e) && typeof e[0] === 'number' ? e[0] : 0
      const text = Array.isArray(e) && Buffer.isBuffer(e[1]) ? e[1].toString() : 'unknown error'
      const err = new KrpcRemoteError(code, text)
      // k-rpc's queryAll reads `err.code` as the KRPC number (3xx for BEP 44 put errors).
      Object.defineProperty(err, 'code', { value: code })
      return this.finish(p, err, msg, info)
    }
    if (!isDict(msg.r) || !isBytes(msg.r.id, ID_LENGTH)) {
      this.stats.dropped.malformed++
      return this.finish(p, new Error('malformed response'), null, info)
    }
    msg.r.id = ownCopy(msg.r.id)
    trimReply(msg.r)
    if (p.peer.id && !p.peer.id.equals(msg.r.id)) {
      const err = Object.assign(new Error('Unexpected node id'), { code: 'EUNEXPECTEDNODE' })
      return this.finish(p, err, null, info)
    }
    this.finish(p, null, msg, info)
    this.emit('response', msg, info)
  }
}

/**
 * k-rpc keeps sender ids in the routing table. A view into the datagram (or a copy from Node's
 * shared 8 KB pool) would pin a whole pool slab per contact; an unpooled 20-byte copy pins nothing.
 */
function ownCopy(b: Buffer): Buffer {
  const c = Buffer.allocUnsafeSlow(b.length)
  b.copy(c)
  return c
}

function addrKey(p: { host: string; port: number }): string {
  return `${p.host}:${p.port}`
}

/** Keeps the closest nodes and a bounded peer list of an oversized reply (the lists are sorted). */
function trimReply(r: { [key: string]: BValue }): void {
  const nodes = r.nodes
  if (Buffer.isBuffer(nodes) && nodes.length > MAX_NODES_PER_RESPONSE * 26) {
    r.nodes = nodes.subarray(0, MAX_NODES_PER_RESPONSE * 26)
  }
  const values = r.values
  if (Array.isArray(values) && values.length > MAX_VALUES_PER_RESPONSE) {
    r.values = values.slice(0, MAX_VALUES_PER_RESPONSE)
  }
}

function remote(p: { host: string; port: number }): RemoteInfo {
  return { address: p.host, host: p.host, port: p.port }
}

function defer(cb: QueryCallback, err: Error, peer: QueryTarget): void {
  process.nextTick(cb, err, null, remote(peer))
}

function noop(): void {}
