// Our KRPC socket. It speaks the same interface as k-rpc-socket (so k-rpc can take it through
// `opts.krpcSocket`) but fixes what is unsafe there: transactions live in a Map (O(1) matching,
// not a linear scan), a response must come from the exact host:port that was queried, queries
// beyond the outgoing rate cap wait in a bounded queue, incoming queries pass a per-IP token
// bucket, and every datagram is size-capped and strictly decoded. Drops are counted.
// This file: binding, replies, and the receive path; the outgoing queries, their transaction
// table and rate cap are its base class (outbound-queries.ts), the types are in types.ts.
import { bdecode, bencodeResponse, isBytes, isDict } from '../bencode.js'
import type { BInput, BValue } from '../bencode.js'
import {
  ERR_PROTOCOL,
  ID_LENGTH,
  MAX_DATAGRAM_BYTES,
  MAX_NODES_PER_RESPONSE,
  MAX_RESPONSE_DATAGRAM_BYTES,
  MAX_VALUES_PER_RESPONSE,
} from '../constants.js'
import { KrpcRemoteError } from '../errors.js'
import { KeyedRateLimiter } from '../rate-limit.js'
import type { BoundAddress, PeerAddress } from '../transport/types.js'
import { OutboundQueries, addrKey, remote } from './outbound-queries.js'
import type { KrpcMessage, KrpcSocketOptions, RemoteInfo } from './types.js'

export class KrpcSocket extends OutboundQueries {
  private readonly inbound: KeyedRateLimiter | null
  /**
   * Every datagram from an address we await nothing from spends from this per-IP budget (twice the
   * query rate and burst) before it is decoded. A flooder's excess then costs a map lookup, not a
   * bencode parse: under a flood the node drains its receive queue faster than the flood fills it,
   * so the in-limit queries of others are not lost in the kernel before the query limiter sees them.
   */
  private readonly preDecode: KeyedRateLimiter | null

  constructor(opts: KrpcSocketOptions) {
    super(opts)
    const inb = opts.inbound
    this.inbound = inb
      ? new KeyedRateLimiter({ rate: inb.rate, burst: inb.burst, maxKeys: inb.maxIps }, this.now)
      : null
    this.preDecode = inb
      ? new KeyedRateLimiter({ rate: 2 * inb.rate, burst: 2 * inb.burst, maxKeys: inb.maxIps }, this.now)
      : null
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

  async destroy(cb?: () => void): Promise<void> {
    if (!this.destroyed) {
      this.destroyed = true
      this.failAll()
      await this.transport.close()
      this.emit('close')
    }
    cb?.()
  }

  private onDatagram(buf: Buffer, from: PeerAddress): void {
    if (this.destroyed || from.port === 0) return
    this.stats.datagramsIn++
    const awaited = this.awaiting.size > 0 && this.awaiting.has(addrKey(from))
    if (!awaited && this.preDecode && !this.preDecode.take(from.host)) {
      this.stats.dropped.rateLimited++
      return
    }
    // Only a node we are waiting on may send more than one MTU (see MAX_RESPONSE_DATAGRAM_BYTES).
    const large = buf.length > MAX_DATAGRAM_BYTES
    if (large && (buf.length > MAX_RESPONSE_DATAGRAM_BYTES || !awaited)) {
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
