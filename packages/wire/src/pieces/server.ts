// A piece server (seed): BEP 3 bitfield and request/piece for the torrents added to it, and BEP 9
// ut_metadata on the same connection, so a resolver (or any stock client) gets metadata and pieces
// from one peer. BEP 52 hash requests for v2 and hybrid torrents are answered with hashes and their
// proof, or a hash reject (counted) when out of range or not held. Requests are served one at a time in order with write backpressure, and at most
// `maxQueuedRequests` may wait, so a peer that floods requests is closed, not buffered.
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { decodePrefix, dict, encode, isDict } from '../bencode/bencode.js'
import {
  CLIENT_NAME,
  DEFAULT_REQQ,
  METADATA_MSG,
  METADATA_PIECE_SIZE,
  MSG,
  PEER_ID_PREFIX,
} from '../constants.js'
import { encodeExtendedHandshake, parseExtendedHandshake } from '../extended-handshake.js'
import { HashSource, TreeCache } from './hash-source.js'
import { layoutFromInfo, pieceSize } from './layout.js'
import {
  decodeHashRequest,
  encodeBitfield,
  encodeHandshake,
  encodeHashes,
  encodeHashReject,
  encodeMessage,
  encodePiece,
  FrameReader,
  type Message,
} from './messages.js'
import type { PieceStorage } from './storage.js'
import type { PieceLayers } from './verify.js'

/** Our local BEP 10 id for ut_metadata on piece-server connections. */
const UT_METADATA_ID = 1
/** BEP 3 blocks are 16 KiB; we accept up to 128 KiB as most clients do (constants.ts). */
const MAX_BLOCK = 128 * 1024

export interface PieceServerOptions {
  peerId?: Uint8Array
  maxConnections?: number
  maxQueuedRequests?: number
  idleTimeoutMs?: number
  /** Told why a connection was closed for a protocol violation (for logs). */
  onProtocolError?: (reason: string, peer: string) => void
  /**
   * Bytes of BEP 52 merkle trees kept for answering hash requests, over all torrents (default 64 MiB;
   * a tree costs about 64 bytes a piece). An evicted tree is rebuilt on the next request for it.
   */
  maxHashCacheBytes?: number
  /** Told why a BEP 52 hash request was rejected (for logs). */
  onHashReject?: (reason: string, peer: string) => void
}

export interface SeedOptions {
  /**
   * BEP 52 piece layers (hex pieces root → layer) from the .torrent. Without them a v2 file's piece
   * layer is computed from its data on the first hash request for it (all its pieces must be held).
   */
  pieceLayers?: PieceLayers
}

export interface PieceServerStats {
  connections: number
  piecesServed: number
  bytesServed: number
  metadataPiecesServed: number
  /** Connections closed for a protocol violation (bad handshake, bad request, flood, unknown torrent). */
  protocolErrors: number
  /** BEP 52 hash requests answered with hashes, and rejected (out of range, unknown root, not held). */
  hashRequestsServed: number
  hashRequestsRejected: number
  /** Hybrid connections upgraded to the v2 infohash (BEP 52: v1 handshake with the v2 bit). */
  v2Upgrades: number
}

interface Seeded {
  info: Uint8Array
  storage: PieceStorage
  hashes: HashSource
  /** Handshake infohashes (hex) it is seeded under: a hybrid's v1 hash and its truncated v2 hash. */
  keys: string[]
  /** Truncated v2 infohash of a hybrid, to upgrade a v1 handshake that sets the v2 bit (BEP 52). */
  v2Hash: Buffer | null
}

/**
 * A block of a piece. libtorrent treats a v2-only torrent's last file as padded to a whole piece (as
 * it pads every other file) and asks for the full last block, so for v2-only torrents the bytes past
 * the end of the last piece read as zeros up to the piece length.
 */
async function readBlock(
  storage: PieceStorage,
  index: number,
  begin: number,
  length: number,
): Promise<Uint8Array> {
  const l = storage.layout
  const size = pieceSize(l, index)
  if (
    !l.v2 ||
    l.v1Pieces ||
    index !== l.pieceCount - 1 ||
    begin + length <= size ||
    begin + length > l.pieceLength
  )
    return storage.read(index, begin, length)
  const out = new Uint8Array(length)
  if (begin < size) out.set(await storage.read(index, begin, size - begin))
  return out
}

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
  }

  constructor(private readonly opts: PieceServerOptions = {}) {
    this.trees = new TreeCache(opts.maxHashCacheBytes)
    this.peerId = opts.peerId ?? Buffer.concat([Buffer.from(PEER_ID_PREFIX, 'latin1'), randomBytes(12)])
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
    let seeded: Seeded | undefined
    let peerMetadataId = 0
    let queued = 0
    let chain: Promise<void> = Promise.resolve()
    const idleMs = this.opts.idleTimeoutMs ?? 150_000
    let last = Date.now()
    const idle = setInterval(
      () => {
        if (Date.now() - last > idleMs) socket.destroy()
      },
      Math.min(idleMs, 10_000),
    )
    idle.unref()
    const violation = (reason: string): void => {
      this.s.protocolErrors++
      this.opts.onProtocolError?.(reason, `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`)
      socket.destroy()
    }
    const send = async (buf: Uint8Array): Promise<void> => {
      if (socket.destroyed) return
      if (!socket.write(buf)) await new Promise<void>((r) => socket.once('drain', r).once('close', r))
    }
    const onMessage = (m: Message): void => {
      const t = seeded as Seeded
      if (m.id === MSG.request) {
        if (m.payload.length !== 12) return violation('request of the wrong length')
        const [index, begin, length] = [0, 4, 8].map((o) => m.payload.readUInt32BE(o)) as [
          number,
          number,
          number,
        ]
        if (length === 0 || length > MAX_BLOCK) return violation(`request for ${length} bytes`)
        if (++queued > (this.opts.maxQueuedRequests ?? DEFAULT_REQQ))
          return violation('too many queued requests')
        chain = chain.then(async () => {
          queued--
          if (socket.destroyed) return
          if (!t.storage.has(index)) return violation(`request for piece ${index}, which we lack`)
          let block: Uint8Array
          try {
            block = await readBlock(t.storage, index, begin, length)
          } catch (err) {
            return violation(`request ${index}:${begin}+${length}: ${(err as Error).message}`)
          }
          this.s.piecesServed++
          this.s.bytesServed += block.length
          await send(encodePiece(index, begin, block))
        })
      } else if (m.id === MSG.hashRequest) {
        let r
        try {
          r = decodeHashRequest(m.payload)
        } catch (err) {
          return violation((err as Error).message)
        }
        if (++queued > (this.opts.maxQueuedRequests ?? DEFAULT_REQQ))
          return violation('too many queued requests')
        const req = r
        chain = chain.then(async () => {
          queued--
          if (socket.destroyed) return
          let answer
          try {
            answer = await t.hashes.answer(req)
          } catch (err) {
            answer = { reject: `reading hashes: ${(err as Error).message}` }
          }
          if ('hashes' in answer) {
            this.s.hashRequestsServed++
            return send(encodeHashes(req, answer.hashes))
          }
          this.s.hashRequestsRejected++
          this.opts.onHashReject?.(answer.reject, `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`)
          await send(encodeHashReject(req))
        })
      } else if (m.id === MSG.extended) {
        if (m.payload.length < 1) return violation('empty extended message')
        const ext = m.payload[0] as number
        const body = m.payload.subarray(1)
        if (ext === 0) peerMetadataId = parseExtendedHandshake(body).extensions.get('ut_metadata') ?? 0
        else if (ext === UT_METADATA_ID && peerMetadataId) this.metadata(t.info, body, peerMetadataId, send)
      }
      // choke/unchoke/interested/have/bitfield/cancel/port/keep-alive, and hashes / hash reject (a seed
      // asks for no hashes): nothing to do.
    }
    const reader = new FrameReader(
      MAX_BLOCK + 13,
      (h) => {
        seeded = this.torrents.get(Buffer.from(h.infoHash).toString('hex'))
        if (!seeded) return violation('handshake for a torrent we do not seed')
        const layout = seeded.storage.layout
        const st = seeded.storage
        // BEP 52 upgrade path: a hybrid's v1 handshake with the v2 bit may be answered with the v2 hash.
        const upgrade = h.v2 && seeded.v2Hash !== null && !seeded.v2Hash.equals(h.infoHash)
        if (upgrade) this.s.v2Upgrades++
        void send(
          encodeHandshake(upgrade ? (seeded.v2Hash as Buffer) : h.infoHash, this.peerId, true, layout.v2),
        )
        if (h.extended) {
          const hs = encodeExtendedHandshake({
            extensions: { ut_metadata: UT_METADATA_ID },
            clientName: CLIENT_NAME,
            reqq: this.opts.maxQueuedRequests ?? DEFAULT_REQQ,
            metadataSize: seeded.info.length,
          })
          void send(encodeMessage(MSG.extended, Buffer.from([0]), hs))
        }
        void send(encodeBitfield(layout.pieceCount, (i) => st.has(i)))
        void send(encodeMessage(MSG.unchoke))
      },
      onMessage,
    )
    socket.on('data', (chunk: Buffer) => {
      last = Date.now()
      try {
        reader.push(chunk)
      } catch (err) {
        violation(err instanceof Error ? err.message : 'bad message')
      }
    })
    socket.on('error', () => socket.destroy())
    socket.on('close', () => {
      clearInterval(idle)
      this.sockets.delete(socket)
    })
  }

  /** BEP 9: answer a metadata request with the piece, or reject one out of range. */
  private metadata(
    info: Uint8Array,
    body: Uint8Array,
    peerId: number,
    send: (b: Uint8Array) => Promise<void>,
  ): void {
    let msg
    try {
      msg = decodePrefix(body)[0]
    } catch {
      return
    }
    if (!isDict(msg) || msg['msg_type'] !== METADATA_MSG.request || typeof msg['piece'] !== 'number') return
    const piece = msg['piece']
    const start = piece * METADATA_PIECE_SIZE
    const reply =
      start >= 0 && start < info.length
        ? [
            encode(dict({ msg_type: METADATA_MSG.data, piece, total_size: info.length })),
            info.subarray(start, start + METADATA_PIECE_SIZE),
          ]
        : [encode(dict({ msg_type: METADATA_MSG.reject, piece }))]
    if (reply.length === 2) this.s.metadataPiecesServed++
    void send(encodeMessage(MSG.extended, Buffer.from([peerId]), ...reply))
  }
}
