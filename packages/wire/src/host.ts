// A PeerHost owns our peer id, the extension registry, shared counters, the connection caps, and
// optionally a TCP listener. The transport is TCP unless a `dial` function and acceptStream() bring
// other byte streams (an in-memory network in a simulation); every stream passes the same caps.
// Outbound and inbound connections count against the same global cap; the per-IP cap applies to
// inbound connections (several peers behind one address, or a local testnet, are legitimate dial
// targets; one address opening many connections to us is not).
import { randomBytes } from 'node:crypto'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { PeerConnection, type ConnectionLimits } from './connection.js'
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_IP, PEER_ID_PREFIX } from './constants.js'
import { WireCounters } from './counters.js'
import { dial, type PeerAddress } from './dial.js'
import { AbortError, ConnectionLimitError } from './errors.js'
import { ExtensionRegistry } from './extensions/registry.js'

/**
 * Opens a byte stream to a peer in place of a TCP dial. It should reject when `signal` aborts (and
 * may honour `timeoutMs`); a stream it resolves after that is destroyed by the host.
 */
export type PeerDialer = (
  addr: PeerAddress,
  opts: { signal?: AbortSignal; timeoutMs?: number },
) => Promise<Duplex>

const tcpDial: PeerDialer = (addr, o) => dial(addr, o.timeoutMs, o.signal)

export interface PeerHostOptions {
  peerId?: Uint8Array
  registry?: ExtensionRegistry
  counters?: WireCounters
  limits?: Partial<ConnectionLimits>
  maxConnections?: number
  /** Cap on inbound connections from one IP address. */
  maxConnectionsPerIp?: number
  clientName?: string
  /** Our DHT port (BEP-5): sets the reserved bit and sends PORT on every connection. */
  dhtPort?: number
  /** Inbound: the infohashes we accept connections for (BEP-9 serve uses its lookup); may be async. */
  acceptInfoHash?: (infoHash: Uint8Array, conn: PeerConnection) => boolean | Promise<boolean>
  metadataSize?: (infoHash: Uint8Array) => number | undefined
  /** Called for every inbound connection that passed the caps. */
  onConnection?: (conn: PeerConnection) => void
  /** Transport for connect(): default a TCP dial. */
  dial?: PeerDialer
}

export function randomPeerId(): Uint8Array {
  return Buffer.concat([Buffer.from(PEER_ID_PREFIX, 'latin1'), randomBytes(20 - PEER_ID_PREFIX.length)])
}

export class PeerHost {
  readonly peerId: Uint8Array
  readonly registry: ExtensionRegistry
  readonly counters: WireCounters
  private readonly connections = new Set<PeerConnection>()
  private readonly perIp = new Map<string, number>()
  private server: Server | undefined
  private listenPort: number | undefined
  private stopped = false

  constructor(private readonly opts: PeerHostOptions = {}) {
    this.peerId = opts.peerId ?? randomPeerId()
    this.registry = opts.registry ?? new ExtensionRegistry()
    this.counters = opts.counters ?? new WireCounters()
  }

  get connectionCount(): number {
    return this.connections.size
  }

  get port(): number | undefined {
    return this.listenPort
  }

  /** Starts accepting connections. Idempotent: a second call returns the same address. */
  async listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    if (this.server) return this.server.address() as AddressInfo
    const server = createServer((socket) => this.accept(socket))
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.removeListener('error', reject)
        resolve()
      })
    })
    const addr = server.address() as AddressInfo
    this.listenPort = addr.port
    return addr
  }

  /** Dials a peer and sends our handshake for `infoHash` (20 bytes). */
  async connect(
    addr: PeerAddress,
    infoHash: Uint8Array,
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<PeerConnection> {
    if (!this.reserve(addr.host, false))
      throw new ConnectionLimitError(`connection cap reached for ${addr.host}`)
    let stream: Duplex
    try {
      stream = await (this.opts.dial ?? tcpDial)(addr, opts)
    } catch (err) {
      this.release(addr.host, true)
      throw err
    }
    // A dialer that ignored the signal, or a host closed meanwhile: the caller has gone.
    if (opts.signal?.aborted || this.stopped) {
      stream.destroy()
      this.release(addr.host, true)
      throw new AbortError()
    }
    return this.track(stream, addr, 'outbound', infoHash)
  }

  /**
   * Takes an inbound stream from a transport other than our listener (e.g. an in-memory network): the
   * same caps, tracking and onConnection as a TCP accept. Returns the connection, or undefined when a
   * cap refused it (the stream is then destroyed and `rejectedByLimit` counted).
   */
  acceptStream(stream: Duplex, remote: PeerAddress): PeerConnection | undefined {
    if (this.stopped || !this.reserve(remote.host, true)) {
      this.counters.rejectedByLimit++
      stream.destroy()
      return undefined
    }
    const conn = this.track(stream, remote, 'inbound', undefined)
    if (!conn.closed) this.opts.onConnection?.(conn)
    return conn
  }

  /** Closes every connection and the listener. Idempotent. */
  async close(): Promise<void> {
    this.stopped = true
    for (const c of [...this.connections]) c.close('local')
    const server = this.server
    this.server = undefined
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private accept(socket: Socket): void {
    this.acceptStream(socket, { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 })
  }

  private reserve(ip: string, inbound: boolean): boolean {
    const max = this.opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    const maxIp = this.opts.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP
    const n = this.perIp.get(ip) ?? 0
    if (this.connections.size + this.pending >= max || (inbound && n >= maxIp)) return false
    this.perIp.set(ip, n + 1)
    this.pending++
    return true
  }

  /** Dials in progress: they hold a slot before the socket exists. */
  private pending = 0

  private release(ip: string, wasPending: boolean): void {
    if (wasPending) this.pending--
    const n = (this.perIp.get(ip) ?? 1) - 1
    if (n <= 0) this.perIp.delete(ip)
    else this.perIp.set(ip, n)
  }

  private track(
    socket: Duplex,
    remote: PeerAddress,
    direction: 'inbound' | 'outbound',
    infoHash: Uint8Array | undefined,
  ): PeerConnection {
    this.pending--
    const ip = remote.host
    const conn = new PeerConnection({
      socket,
      remote,
      direction,
      peerId: this.peerId,
      registry: this.registry,
      counters: this.counters,
      ...(this.opts.limits !== undefined && { limits: this.opts.limits }),
      ...(infoHash !== undefined && { infoHash }),
      ...(this.opts.acceptInfoHash !== undefined && { acceptInfoHash: this.opts.acceptInfoHash }),
      ...(this.opts.metadataSize !== undefined && { metadataSize: this.opts.metadataSize }),
      ...(this.opts.clientName !== undefined && { clientName: this.opts.clientName }),
      ...(this.listenPort !== undefined && { listenPort: this.listenPort }),
      ...(this.opts.dhtPort !== undefined && { dhtPort: this.opts.dhtPort }),
    })
    this.connections.add(conn)
    conn.once('close', () => {
      this.connections.delete(conn)
      this.release(ip, false)
    })
    return conn
  }
}
