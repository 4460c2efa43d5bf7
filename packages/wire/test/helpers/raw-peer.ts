// A hand-written BitTorrent peer for hostile tests: it frames messages itself so it can send anything.
import { randomBytes } from 'node:crypto'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { bdecode, bencode, decodePrefix, dict, isDict, type BDict } from '../../src/index.js'

export function handshake(infoHash: Uint8Array, opts: { dht?: boolean; peerId?: Uint8Array } = {}): Buffer {
  const reserved = Buffer.alloc(8)
  reserved[5] = 0x10
  if (opts.dht) reserved[7] = 0x01
  return Buffer.concat([
    Buffer.from([19]),
    Buffer.from('BitTorrent protocol'),
    reserved,
    infoHash,
    opts.peerId ?? randomBytes(20),
  ])
}

export function message(id: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5)
  head.writeUInt32BE(payload.length + 1, 0)
  head[4] = id
  return Buffer.concat([head, payload])
}

export function extended(extId: number, payload: Uint8Array): Buffer {
  return message(20, Buffer.concat([Buffer.from([extId]), payload]))
}

export function extendedHandshake(fields: BDict): Buffer {
  return extended(0, bencode(dict(fields)))
}

export interface ParsedStream {
  handshake?: Buffer
  /** Extended handshake fields, once received. */
  ext?: BDict
  messages: { id: number; payload: Buffer }[]
}

/** Incremental parser for what the other side sends. */
export function parser(onMessage: (s: ParsedStream) => void): (chunk: Buffer) => ParsedStream {
  let buf = Buffer.alloc(0)
  const s: ParsedStream = { messages: [] }
  return (chunk) => {
    buf = Buffer.concat([buf, chunk])
    if (!s.handshake && buf.length >= 68) {
      s.handshake = buf.subarray(0, 68)
      buf = buf.subarray(68)
    }
    while (s.handshake && buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const len = buf.readUInt32BE(0)
      if (len > 0) {
        const id = buf[4]!
        const payload = buf.subarray(5, 4 + len)
        if (id === 20 && payload[0] === 0) {
          const d = bdecode(payload.subarray(1))
          if (isDict(d)) s.ext = d
        }
        s.messages.push({ id, payload })
      }
      buf = buf.subarray(4 + len)
      onMessage(s)
    }
    if (s.handshake) onMessage(s)
    return s
  }
}

/** The peer's id for an extension, from its extended handshake. */
export function extId(s: ParsedStream, name: string): number | undefined {
  const m = s.ext?.['m']
  const v = isDict(m) ? m[name] : undefined
  return typeof v === 'number' ? v : undefined
}

export function metadataRequests(s: ParsedStream, utId: number): number[] {
  const out: number[] = []
  for (const m of s.messages) {
    if (m.id === 20 && m.payload[0] === utId) {
      const [d] = decodePrefix(m.payload.subarray(1))
      if (isDict(d) && d['msg_type'] === 0 && typeof d['piece'] === 'number') out.push(d['piece'])
    }
  }
  return out
}

export async function rawConnect(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  // Flowing mode, so a remote close is seen even when the test never reads.
  socket.resume()
  const closed = new Promise<void>((r) => socket.on('close', () => r()))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('error', reject)
  })
  return { socket, closed }
}

const SEED_UT_ID = 3

export type SeedBehaviour = (socket: Socket, s: ParsedStream, utId: number) => void

/**
 * A fake seed: answers the handshake and extended handshake (claiming `metadataSize`), then calls
 * `behaviour` once our side has requested pieces.
 */
export async function hostileSeed(
  metadataSize: number,
  behaviour: SeedBehaviour,
  opts: { silent?: boolean } = {},
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    if (opts.silent) return
    let greeted = false
    let acted = false
    const feed = parser((s) => {
      if (!greeted && s.handshake) {
        greeted = true
        socket.write(handshake(s.handshake.subarray(28, 48)))
        socket.write(extendedHandshake({ m: dict({ ut_metadata: SEED_UT_ID }), metadata_size: metadataSize }))
      }
      const utId = extId(s, 'ut_metadata')
      // Our requests arrive on the id we advertised (3); we answer on the id the client advertised.
      if (!acted && utId !== undefined && metadataRequests(s, SEED_UT_ID).length > 0) {
        acted = true
        behaviour(socket, s, utId)
      }
    })
    socket.on('data', feed)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

export function dataMessage(utId: number, piece: number, totalSize: number, data: Uint8Array): Buffer {
  return extended(utId, Buffer.concat([bencode(dict({ msg_type: 1, piece, total_size: totalSize })), data]))
}
