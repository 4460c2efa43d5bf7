// Stock WebTorrent peers (bittorrent-protocol + ut_metadata from npm, unmodified) as interop partners.
import Wire from 'bittorrent-protocol'
import { randomBytes } from 'node:crypto'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import utMetadata from 'ut_metadata'

export interface StockSeed {
  port: number
  connections: number
  close(): Promise<void>
}

interface StockWire {
  use(ext: unknown): void
  handshake(ih: string, pid: Uint8Array, ext?: object): void
  on(ev: string, fn: (...a: never[]) => void): void
  destroy(): void
  ut_metadata: { fetch(): void; on(ev: string, fn: (...a: never[]) => void): void }
}

function pair(socket: Socket): StockWire {
  const wire = new Wire() as unknown as StockWire & { pipe(d: Socket): Socket }
  ;(socket as unknown as { pipe(d: unknown): { pipe(d: Socket): void } }).pipe(wire).pipe(socket)
  socket.on('error', () => {})
  return wire
}

/** A seed that serves `info` over stock ut_metadata to anyone who handshakes. */
export async function startStockSeed(info: Uint8Array): Promise<StockSeed> {
  const sockets = new Set<Socket>()
  const seed: StockSeed = { port: 0, connections: 0, close: async () => {} }
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    seed.connections++
    socket.on('close', () => sockets.delete(socket))
    const wire = pair(socket)
    wire.use(utMetadata(info))
    wire.on('handshake', (ih: string) => wire.handshake(ih, randomBytes(20), { dht: true }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  seed.port = (server.address() as AddressInfo).port
  seed.close = () =>
    new Promise((r) => {
      for (const s of sockets) s.destroy()
      server.close(() => r())
    })
  return seed
}

/** Fetches metadata with a stock client; resolves with the bencoded `{info: …}` it emits. */
export function stockFetch(port: number, infoHashHex: string, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const wire = pair(socket)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error('stock fetch timed out'))
    }, timeoutMs)
    wire.use(utMetadata())
    wire.ut_metadata.fetch()
    wire.ut_metadata.on('metadata', (m: Uint8Array) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(Buffer.from(m))
    })
    socket.on('close', () => {
      clearTimeout(timer)
      reject(new Error('stock client connection closed'))
    })
    wire.handshake(infoHashHex, randomBytes(20), { dht: true })
  })
}
