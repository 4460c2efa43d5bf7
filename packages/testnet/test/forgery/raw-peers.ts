// Hand-written peers for the forgery file: a UDP socket that sends any KRPC dict and reads the reply
// by tid, a TCP socket that frames BitTorrent messages itself, and a proxy that records what a real
// member sends so it can be replayed byte for byte. Everything binds 127.0.0.1; `close` releases it.
import dgram from 'node:dgram'
import { randomBytes } from 'node:crypto'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { bdecode, bencode as krpcEncode, type BDict as KrpcDict } from '@bbmesh/dht'
import { bencode, dict, type BDict } from '@bbmesh/wire'

export interface UdpPeer {
  /** Sends `msg` (its `t` picks the reply) to 127.0.0.1:`port`; the decoded reply, or undefined after `ms`. */
  request(msg: Record<string, unknown>, port: number, ms?: number): Promise<KrpcDict | undefined>
  close(): Promise<void>
}

export async function udpPeer(): Promise<UdpPeer> {
  const s = dgram.createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  const waiters = new Map<string, (m: KrpcDict) => void>()
  s.on('message', (buf) => {
    try {
      const m = bdecode(buf) as KrpcDict
      if (Buffer.isBuffer(m.t)) waiters.get(m.t.toString('hex'))?.(m)
    } catch {
      // not bencode: nothing waits for it
    }
  })
  return {
    request: (msg, port, ms = 2_000) =>
      new Promise((resolve) => {
        const t = Buffer.from(msg.t as Buffer).toString('hex')
        const timer = setTimeout(() => (waiters.delete(t), resolve(undefined)), ms)
        waiters.set(t, (m) => (clearTimeout(timer), waiters.delete(t), resolve(m)))
        s.send(krpcEncode(msg as never), port, '127.0.0.1')
      }),
    close: () => new Promise((r) => s.close(() => r())),
  }
}

/** The KRPC error code of a reply, if it is one. */
export const krpcCode = (m: KrpcDict | undefined): number | undefined =>
  m?.y?.toString() === 'e' ? ((m.e as [number, Buffer])[0] as number) : undefined

/** BEP 3 handshake with the BEP 10 bit set. */
export function handshake(infoHash: Uint8Array, peerId: Uint8Array = randomBytes(20)): Buffer {
  const reserved = Buffer.alloc(8)
  reserved[5] = 0x10
  return Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), reserved, infoHash, peerId])
}

/** A BEP 10 extended message: length, id 20, the extension id, then the bencoded dict. */
export function extended(extId: number, fields: BDict): Buffer {
  const body = Buffer.concat([Buffer.from([20, extId]), bencode(dict(fields))])
  const len = Buffer.alloc(4)
  len.writeUInt32BE(body.length)
  return Buffer.concat([len, body])
}

export interface TcpPeer {
  socket: Socket
  /** Every byte received so far. */
  received(): Buffer
  closed: Promise<void>
}

export async function tcpPeer(port: number): Promise<TcpPeer> {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => undefined)
  const chunks: Buffer[] = []
  socket.on('data', (c: Buffer) => chunks.push(c))
  const closed = new Promise<void>((r) => socket.once('close', () => r()))
  await new Promise<void>((r, j) => (socket.once('connect', r), socket.once('error', j)))
  return { socket, received: () => Buffer.concat(chunks), closed }
}

export interface RecordingProxy {
  port: number
  /** What clients sent through the proxy, in order, per connection. */
  sent: Buffer[][]
  close(): Promise<void>
}

/** Forwards 127.0.0.1:`port` unchanged and records the client's bytes (the transcript to replay). */
export async function recordingProxy(target: number): Promise<RecordingProxy> {
  const sockets = new Set<Socket>()
  const sent: Buffer[][] = []
  const server = createServer((a) => {
    const log: Buffer[] = []
    sent.push(log)
    const b = connect(target, '127.0.0.1')
    for (const s of [a, b]) {
      sockets.add(s)
      s.on('error', () => undefined)
      s.on('close', () => (a.destroy(), b.destroy()))
    }
    a.on('data', (c: Buffer) => (log.push(c), b.write(c)))
    b.on('data', (c: Buffer) => a.write(c))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    sent,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}
