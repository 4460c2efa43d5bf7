// One peer connection over a TCP socket or any other byte stream (a Node Duplex: an in-memory pair in a
// simulation, a proxied stream): BEP-3 handshake, BEP-10 extended handshake, BEP-5 PORT, and routing of
// extended messages to the extension framework. Its timers are in connection-timers.ts, the messages
// held during an asynchronous infohash lookup in held-extended.ts. Every failure ends in close() with a
// reason that is counted; nothing a peer sends can throw out of this object.
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { ProtocolWire, type WireHandshake } from './adapter/wire-adapter.js'
import { defaultLimits, type ConnectionLimits } from './connection-limits.js'
import { ConnectionTimers } from './connection-timers.js'
import { CLIENT_NAME, DEFAULT_REQQ } from './constants.js'
import type { CloseReason, WireCounters } from './counters.js'
import type { PeerAddress } from './dial.js'
import {
  encodeExtendedHandshake,
  parseExtendedHandshake,
  type ExtendedHandshake,
} from './extended-handshake.js'
import { WireError } from './errors.js'
import { ExtensionDispatcher } from './extensions/dispatcher.js'
import type { ExtensionRegistry } from './extensions/registry.js'
import type { ExtensionPeer } from './extensions/types.js'
import { HeldExtended } from './held-extended.js'

export { defaultLimits } from './connection-limits.js'
export type { ConnectionLimits } from './connection-limits.js'

export interface ConnectionOptions {
  /** A net.Socket, or any Duplex carrying the peer's bytes. */
  socket: Duplex
  /** The peer's address, for streams that have none of their own (a connected net.Socket's wins). */
  remote?: PeerAddress
  direction: 'inbound' | 'outbound'
  peerId: Uint8Array
  registry: ExtensionRegistry
  counters: WireCounters
  limits?: Partial<ConnectionLimits>
  /** Outbound: the 20-byte infohash to handshake with. */
  infoHash?: Uint8Array
  /**
   * Inbound: whether we serve this infohash (else the connection is closed as `unknown-infohash`). A
   * Promise is awaited within the handshake timeout; if it rejects the connection closes as `lookup-failed`.
   */
  acceptInfoHash?: (infoHash: Uint8Array, conn: PeerConnection) => boolean | Promise<boolean>
  /** BEP-9 `metadata_size` to advertise for an infohash. */
  metadataSize?: (infoHash: Uint8Array) => number | undefined
  clientName?: string
  /** Our TCP listen port, sent as `p`. */
  listenPort?: number
  /** Our DHT port: sets the BEP-5 reserved bit and is sent in a PORT message after the handshake. */
  dhtPort?: number
}

export interface CloseInfo {
  reason: CloseReason
  detail?: string
}

export interface ConnectionEvents {
  handshake: [WireHandshake]
  'extended-handshake': [ExtendedHandshake]
  /** BEP-5 PORT: the peer's DHT port (a later issue uses it for BEP-51 sampling). */
  'dht-port': [number]
  /** The members-only gate opened (the peer proved membership) or failed (a stranger or another community). */
  gate: ['open' | 'failed']
  close: [CloseInfo]
}

export class PeerConnection extends EventEmitter<ConnectionEvents> implements ExtensionPeer {
  readonly direction: 'inbound' | 'outbound'
  readonly remoteAddress: string
  readonly remotePort: number
  infoHash: Uint8Array | undefined
  peerId: Uint8Array | undefined
  peerHandshake: WireHandshake | undefined
  peerExtendedHandshake: ExtendedHandshake | undefined
  closeInfo: CloseInfo | undefined
  private readonly wire: ProtocolWire
  private readonly dispatcher: ExtensionDispatcher
  private readonly limits: ConnectionLimits
  private readonly timers = new ConnectionTimers()
  /** Extended messages that arrived while an asynchronous acceptInfoHash was pending. */
  private readonly held = new HeldExtended()

  constructor(private readonly opts: ConnectionOptions) {
    super()
    this.direction = opts.direction
    this.limits = { ...defaultLimits, ...opts.limits }
    const own = opts.socket as Partial<Pick<Socket, 'remoteAddress' | 'remotePort' | 'setNoDelay'>>
    this.remoteAddress = own.remoteAddress ?? opts.remote?.host ?? ''
    this.remotePort = own.remotePort ?? opts.remote?.port ?? 0
    opts.registry.freeze()
    opts.counters.opened++
    const socket = opts.socket
    this.wire = new ProtocolWire(
      {
        onHandshake: (h) => this.onHandshake(h),
        onExtended: (id, payload) => this.onExtended(id, payload),
        onPort: (port) => this.emit('dht-port', port),
        buildExtendedHandshake: () => this.buildExtendedHandshake(),
        onFailure: (reason, err) => this.onWireFailure(reason, err),
        onEnd: () => this.close('remote-closed'),
        pauseSource: () => socket.pause(),
        resumeSource: () => socket.resume(),
      },
      this.limits.maxMessageLength,
      (chunk) => this.write(chunk),
    )
    this.dispatcher = new ExtensionDispatcher(opts.registry, {
      peer: this,
      counters: opts.counters,
      localPeerId: opts.peerId,
      sendExtended: (id, payload) => this.wire.extended(id, payload),
      onGate: (state) => this.emit('gate', state),
    })
    // Only a TCP socket has Nagle to turn off.
    if (typeof own.setNoDelay === 'function') own.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      this.timers.lastActivity = Date.now()
      this.wire.receive(chunk)
    })
    socket.on('error', (err) => this.close('socket-error', err.message))
    socket.on('close', () => this.close('remote-closed'))
    socket.on('end', () => this.close('remote-closed'))
    this.timers.start(
      this.limits,
      (reason) => this.close(reason),
      () => this.wire.keepAlive(),
    )
    if (opts.direction === 'outbound') {
      if (!opts.infoHash || opts.infoHash.length !== 20)
        throw new WireError('ERR_INVALID_ARGUMENT', 'outbound needs a 20-byte infoHash')
      this.infoHash = opts.infoHash
      this.wire.handshake(opts.infoHash, opts.peerId, opts.dhtPort !== undefined)
    }
  }

  get closed(): boolean {
    return this.closeInfo !== undefined
  }

  get clientName(): string | undefined {
    return this.peerExtendedHandshake?.clientName
  }

  get gateOpen(): boolean {
    return this.dispatcher.gateOpen
  }

  /** This connection's instance of a registered extension. */
  extension<T>(name: string): T | undefined {
    return this.dispatcher.instance(name) as T | undefined
  }

  /** Sends raw bytes as an extended message with the given (peer's) id. For tests and custom framing. */
  sendRawExtended(remoteId: number, payload: Uint8Array): void {
    if (!this.closed) this.wire.extended(remoteId, payload)
  }

  close(reason: CloseReason | string = 'local', detail?: string): void {
    if (this.closeInfo) return
    const r = reason as CloseReason
    this.closeInfo = detail === undefined ? { reason: r } : { reason: r, detail }
    this.timers.stop()
    this.opts.counters.countClose(r)
    this.dispatcher.close()
    this.wire.destroy()
    this.opts.socket.destroy()
    this.emit('close', this.closeInfo)
  }

  private write(chunk: Uint8Array): void {
    if (this.closed) return
    const socket = this.opts.socket
    // A peer that asks but never reads would make us buffer without bound.
    if (socket.writableLength > this.limits.maxMessageLength * 8) {
      this.close('slow-reader')
      return
    }
    socket.write(chunk)
  }

  private onWireFailure(reason: string, err: unknown): void {
    const kind = typeof err === 'object' && err !== null && 'kind' in err ? String(err.kind) : undefined
    if (kind === 'bad-handshake' || kind === 'message-too-large' || kind === 'bad-message-length') {
      this.close(kind, reason)
    } else if (err instanceof WireError && (err.code === 'ERR_CODEC' || err.code === 'ERR_BENCODE')) {
      this.close('protocol-error', reason)
    } else if (err instanceof WireError) {
      this.close('extension-error', reason)
    } else {
      this.close('handler-error', reason)
    }
  }

  private onHandshake(h: WireHandshake): void {
    this.peerHandshake = h
    this.peerId = h.peerId
    if (Buffer.from(h.peerId).equals(this.opts.peerId)) return this.close('self-connection')
    if (this.opts.direction === 'outbound') {
      this.timers.handshakeDone()
      if (!this.infoHash || !Buffer.from(h.infoHash).equals(this.infoHash))
        return this.close('infohash-mismatch')
      return this.handshakeDone(h)
    }
    const verdict = this.opts.acceptInfoHash?.(h.infoHash, this) ?? false
    if (typeof verdict === 'boolean') return this.acceptInbound(h, verdict)
    // Asynchronous lookup: stop reading and hold what already arrived, so the peer sees the same order as
    // with a synchronous lookup. The handshake timer keeps running and bounds the wait.
    this.held.start()
    this.opts.socket.pause()
    verdict.then(
      (ok) => {
        if (this.closed) return
        this.opts.socket.resume()
        this.safely(() => this.acceptInbound(h, ok))
      },
      (err: unknown) => this.close('lookup-failed', err instanceof Error ? err.message : String(err)),
    )
  }

  private acceptInbound(h: WireHandshake, ok: boolean): void {
    if (!ok) return this.close('unknown-infohash')
    this.timers.handshakeDone()
    this.infoHash = h.infoHash
    this.wire.handshake(h.infoHash, this.opts.peerId, this.opts.dhtPort !== undefined)
    this.handshakeDone(h)
    for (const m of this.held.release()) if (!this.closed) this.onExtended(m.id, m.payload)
  }

  private handshakeDone(h: WireHandshake): void {
    if (this.opts.dhtPort !== undefined && h.dht) this.wire.port(this.opts.dhtPort)
    this.emit('handshake', h)
  }

  /** Runs `fn` outside the wire's own guard, mapping a throw to the same close reasons. */
  private safely(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.onWireFailure(err instanceof Error ? err.message : 'exception in handler', err)
    }
  }

  private buildExtendedHandshake(): Uint8Array {
    const ih = this.infoHash
    return encodeExtendedHandshake({
      extensions: this.dispatcher.publicMap(),
      clientName: this.opts.clientName ?? CLIENT_NAME,
      listenPort: this.opts.listenPort,
      reqq: DEFAULT_REQQ,
      metadataSize: ih ? this.opts.metadataSize?.(ih) : undefined,
    })
  }

  private onExtended(id: number, payload: Uint8Array): void {
    const held = this.held.offer(id, payload)
    if (held === 'overflow')
      return this.close('protocol-error', 'too many extended messages before our handshake')
    if (held === 'held') return
    if (id === 0) {
      const h = parseExtendedHandshake(payload)
      this.peerExtendedHandshake = h
      this.emit('extended-handshake', h)
      this.dispatcher.onPeerExtensions(h.extensions, false)
      return
    }
    this.dispatcher.receive(id, payload)
  }
}
