// Hand-written BEP 3 peers for the BEP 52 tests: a client that records what a PieceServer sends, and
// a seed whose answers to hash requests the test decides (forged, rejected, none).
import { createHash, randomBytes } from 'node:crypto'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { MSG } from '../../src/constants.js'
import { layoutFromInfo } from '../../src/pieces/layout.js'
import {
  decodeHashRequest,
  encodeBitfield,
  encodeHandshake,
  encodeMessage,
  encodePiece,
  FrameReader,
  type Handshake,
  type HashRequest,
  type Message,
} from '../../src/pieces/messages.js'
import { MemoryStorage } from '../../src/pieces/storage.js'
import type { TestTorrent } from './pieces-torrent.js'

export interface RawClient {
  socket: Socket
  handshake: Promise<Handshake>
  messages: Message[]
  /** Resolves with the first message (already received or to come) matching `pred`. */
  next(pred: (m: Message) => boolean, timeoutMs?: number): Promise<Message>
  closed: Promise<void>
}

export function rawClient(port: number, infoHash: Uint8Array, v2 = false): RawClient {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => undefined)
  const messages: Message[] = []
  const waiters: (() => void)[] = []
  let onHandshake: (h: Handshake) => void = () => undefined
  const handshake = new Promise<Handshake>((r) => (onHandshake = r))
  const reader = new FrameReader(1 << 20, onHandshake, (m) => {
    messages.push({ id: m.id, payload: Buffer.from(m.payload) })
    for (const w of waiters.splice(0)) w()
  })
  socket.on('data', (c: Buffer) => reader.push(c))
  socket.write(encodeHandshake(infoHash, randomBytes(20), false, v2))
  const closed = new Promise<void>((r) => socket.on('close', () => r()))
  const next = (pred: (m: Message) => boolean, timeoutMs = 3000): Promise<Message> =>
    new Promise((resolve, reject) => {
      let seen = 0
      const timer = setTimeout(() => reject(new Error('no such message in time')), timeoutMs)
      const look = (): void => {
        for (; seen < messages.length; seen++) {
          const m = messages[seen] as Message
          if (pred(m)) {
            clearTimeout(timer)
            return resolve(m)
          }
        }
        waiters.push(look)
      }
      look()
    })
  return { socket, handshake, messages, next, closed }
}

export interface ScriptedSeed {
  port: number
  hashRequests: HashRequest[]
  /** Every message the seed received. */
  received: Message[]
  close(): Promise<void>
}

/**
 * A seed of `t` (from `files`, which may differ from the torrent's: a liar) that answers hash
 * requests with `answer(request)`: bytes to send, or nothing (silence).
 */
export async function scriptedSeed(
  t: TestTorrent,
  answer: (r: HashRequest) => Buffer | undefined,
  files: ReadonlyMap<string, Uint8Array> = t.files,
): Promise<ScriptedSeed> {
  const layout = layoutFromInfo(t.info)
  const storage = MemoryStorage.seed(layout, files)
  const hashRequests: HashRequest[] = []
  const received: Message[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    const reader = new FrameReader(
      1 << 20,
      (h) => {
        socket.write(encodeHandshake(h.infoHash, randomBytes(20), false, true))
        socket.write(encodeBitfield(layout.pieceCount, () => true))
        socket.write(encodeMessage(MSG.unchoke))
      },
      (m) => {
        received.push({ id: m.id, payload: Buffer.from(m.payload) })
        if (m.id === MSG.hashRequest) {
          const r = decodeHashRequest(m.payload)
          hashRequests.push(r)
          const reply = answer(r)
          if (reply) socket.write(reply)
        } else if (m.id === MSG.request) {
          const [index, begin, length] = [0, 4, 8].map((o) => m.payload.readUInt32BE(o)) as number[]
          void storage
            .read(index as number, begin as number, length as number)
            .then((b) => socket.write(encodePiece(index as number, begin as number, b)))
        }
      },
    )
    socket.on('data', (c: Buffer) => reader.push(c))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as { port: number }).port,
    hashRequests,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

export const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}
