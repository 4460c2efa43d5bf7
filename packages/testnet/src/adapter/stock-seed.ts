// A stock WebTorrent seed: bittorrent-protocol + ut_metadata from npm, unmodified, serving BEP 9
// metadata for every torrent it holds over TCP on 127.0.0.1. The one file importing those modules.
import { randomBytes } from 'node:crypto'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import Wire from 'bittorrent-protocol'
import utMetadata from 'ut_metadata'
import { LOOPBACK } from '../constants.js'

export interface StockSeedCounters {
  connections: number
  /** Handshakes for an infohash this seed does not hold (closed). */
  unknownInfohash: number
  /** Connections that got our ut_metadata (a BEP 9 exchange could follow). */
  served: number
}

export class StockSeed {
  readonly counters: StockSeedCounters = { connections: 0, unknownInfohash: 0, served: 0 }
  private readonly infos = new Map<string, Uint8Array>()
  private readonly sockets = new Set<Socket>()
  private readonly peerId = randomBytes(20)
  private server: Server | undefined
  private closing: Promise<void> | undefined

  /** `dhtPort`: sent in a PORT message (BEP 5) so peers learn our DHT node. */
  constructor(private readonly dhtPort: number) {}

  /** Serves `info` to peers handshaking with `handshakeHash` (20 bytes, hex). */
  add(handshakeHash: string, info: Uint8Array): void {
    this.infos.set(handshakeHash, info)
  }

  async listen(): Promise<number> {
    const server = createServer((socket) => this.accept(socket))
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, LOOPBACK, () => resolve())
    })
    return (server.address() as AddressInfo).port
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      for (const s of this.sockets) s.destroy()
      if (this.server) this.server.close(() => resolve())
      else resolve()
    })
    return this.closing
  }

  private accept(socket: Socket): void {
    if (this.closing) return void socket.destroy()
    this.counters.connections++
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    // A peer that never handshakes must not hold the socket forever.
    socket.setTimeout(30_000, () => socket.destroy())
    const wire = new Wire()
    wire.on('error', () => socket.destroy())
    socket.pipe(wire).pipe(socket)
    wire.on('handshake', (infoHash: string) => {
      const info = this.infos.get(infoHash)
      if (!info) {
        this.counters.unknownInfohash++
        socket.destroy()
        return
      }
      // Registered inside 'handshake' so its extended handshake carries metadata_size.
      wire.use(utMetadata(info))
      wire.handshake(infoHash, this.peerId, { dht: true })
      if (this.dhtPort > 0) wire.port(this.dhtPort)
      this.counters.served++
    })
  }
}
