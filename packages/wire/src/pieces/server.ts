// A piece server (seed): BEP 3 bitfield and request/piece for the torrents added to it, and BEP 9
// ut_metadata on the same connection, so a resolver (or any stock client) gets metadata and pieces
// from one peer. BEP 52 hash requests for v2 and hybrid torrents are answered with hashes and their
// proof, or a hash reject (counted) when out of range or not held. This file keeps the torrents, the
// listening socket and the counters; each connection is served by seed-connection.ts.
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { PEER_ID_PREFIX } from '../constants.js'
import { HashSource, TreeCache } from './hash-source.js'
import { layoutFromInfo } from './layout.js'
import { serveConnection, type SeedContext } from './seed-connection.js'
import type { PieceServerOptions, PieceServerStats, Seeded, SeedOptions } from './server-options.js'
import type { PieceStorage } from './storage.js'

export type { PieceServerOptions, PieceServerStats, SeedOptions } from './server-options.js'

export class PieceServer {
  readonly peerId: Uint8Array
  private readonly torrents = new Map<string, Seeded>()
  private readonly sockets = new Set<Socket>()
  private server: Server | undefined
  private readonly trees: TreeCache
  private readonly s: PieceServerStats = {
    connections: 0,
    piecesServed: 0,
    bytesServed: 0,
    metadataPiecesServed: 0,
    protocolErrors: 0,
    hashRequestsServed: 0,
    hashRequestsRejected: 0,
    v2Upgrades: 0,
    verifyFailures: 0,
  }
  private readonly ctx: SeedContext

  constructor(private readonly opts: PieceServerOptions = {}) {
    this.trees = new TreeCache(opts.maxHashCacheBytes)
    this.peerId = opts.peerId ?? Buffer.concat([Buffer.from(PEER_ID_PREFIX, 'latin1'), randomBytes(12)])
    this.ctx = { opts, peerId: this.peerId, stats: this.s, torrents: this.torrents }
  }

  /**
   * Seeds a torrent: `info` is its bencoded info dict; returns the 20-byte handshake infohash (hex):
   * v1 for v1 and hybrid torrents, the truncated v2 hash for v2-only ones. A hybrid is also served
   * under its truncated v2 hash.
   */
  add(info: Uint8Array, storage: PieceStorage, opts: SeedOptions = {}): string {
    const layout = layoutFromInfo(info)
    const key = Buffer.from(layout.infoHash).toString('hex')
    const v2Hash =
      layout.v2 && layout.v1Pieces ? createHash('sha256').update(info).digest().subarray(0, 20) : null
    const keys = v2Hash ? [key, v2Hash.toString('hex')] : [key]
    this.remove(key)
    const seeded: Seeded = {
      info,
      storage,
      hashes: new HashSource(storage, opts.pieceLayers, this.trees),
      keys,
      v2Hash,
    }
    for (const k of keys) this.torrents.set(k, seeded)
    return key
  }

  remove(infoHashHex: string): void {
    for (const k of this.torrents.get(infoHashHex)?.keys ?? []) this.torrents.delete(k)
  }

  /** True when a torrent is seeded under this handshake infohash (hex, 20 bytes). */
  seeds(infoHashHex: string): boolean {
    return this.torrents.has(infoHashHex)
  }

  get stats(): PieceServerStats {
    return { ...this.s, connections: this.sockets.size }
  }

  get port(): number | undefined {
    const a = this.server?.address()
    return a && typeof a === 'object' ? a.port : undefined
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    if (!this.server) {
      this.server = createServer((socket) => this.accept(socket))
      const srv = this.server
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject)
        srv.listen(port, host, () => resolve())
      })
    }
    return this.server.address() as AddressInfo
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
    const srv = this.server
    this.server = undefined
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()))
  }

  private accept(socket: Socket): void {
    if (this.sockets.size >= (this.opts.maxConnections ?? 64)) return void socket.destroy()
    this.sockets.add(socket)
    socket.setNoDelay(true)
    socket.on('close', () => this.sockets.delete(socket))
    serveConnection(socket, this.ctx)
  }
}
