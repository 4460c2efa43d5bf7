// One connection to the piece server (server.ts): answers the peer's handshake for a torrent we seed
// (upgrading a hybrid to v2 when asked, BEP 52) with our extended handshake, bitfield and unchoke,
// then serves its block and hash requests one at a time in order with write backpressure; at most
// `maxQueuedRequests` may wait, so a peer that floods requests is closed, not buffered. Any protocol
// violation closes the connection and is counted; a connection silent for `idleTimeoutMs` is closed.
import type { Socket } from 'node:net'
import { CLIENT_NAME, DEFAULT_REQQ, MSG } from '../constants.js'
import { encodeExtendedHandshake, parseExtendedHandshake } from '../extended-handshake.js'
import { PieceError } from './errors.js'
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
import { readBlock } from './read-block.js'
import { serveMetadata } from './serve-metadata.js'
import type { PieceServerOptions, PieceServerStats, Seeded } from './server-options.js'

/** Our local BEP 10 id for ut_metadata on piece-server connections. */
const UT_METADATA_ID = 1
/** BEP 3 blocks are 16 KiB; we accept up to 128 KiB as most clients do (constants.ts). */
const MAX_BLOCK = 128 * 1024

/** What every connection shares with the server. */
export interface SeedContext {
  readonly opts: PieceServerOptions
  readonly peerId: Uint8Array
  /** The server's counters, updated in place. */
  readonly stats: PieceServerStats
  /** Seeded torrents by handshake infohash (hex). */
  readonly torrents: ReadonlyMap<string, Seeded>
}

export function serveConnection(socket: Socket, ctx: SeedContext): void {
  const { opts, stats } = ctx
  let seeded: Seeded | undefined
  let peerMetadataId = 0
  /** The pieces our bitfield told this peer we have. */
  let advertised: Uint8Array | undefined
  let queued = 0
  let chain: Promise<void> = Promise.resolve()
  const idleMs = opts.idleTimeoutMs ?? 150_000
  let last = Date.now()
  const idle = setInterval(
    () => {
      if (Date.now() - last > idleMs) socket.destroy()
    },
    Math.min(idleMs, 10_000),
  )
  idle.unref()
  const violation = (reason: string): void => {
    stats.protocolErrors++
    opts.onProtocolError?.(reason, `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`)
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
      if (++queued > (opts.maxQueuedRequests ?? DEFAULT_REQQ)) return violation('too many queued requests')
      chain = chain.then(async () => {
        queued--
        if (socket.destroyed) return
        if (!t.storage.has(index)) {
          // A piece in the bitfield we sent that we dropped since (it failed verification on another
          // connection) is not the peer's fault: close so it reconnects to the current bitfield.
          if (advertised?.[index] === 1) return void socket.destroy()
          return violation(`request for piece ${index}, which we lack`)
        }
        let block: Uint8Array
        try {
          block = await readBlock(t.storage, index, begin, length)
        } catch (err) {
          // Our own data failed its hashes (cross-seed storage): not the peer's fault. The piece is
          // no longer advertised; closing lets the peer reconnect to a bitfield without it.
          if (err instanceof PieceError && err.code === 'ERR_PIECE_VERIFY') {
            stats.verifyFailures++
            return void socket.destroy()
          }
          return violation(`request ${index}:${begin}+${length}: ${(err as Error).message}`)
        }
        stats.piecesServed++
        stats.bytesServed += block.length
        await send(encodePiece(index, begin, block))
      })
    } else if (m.id === MSG.hashRequest) {
      let r
      try {
        r = decodeHashRequest(m.payload)
      } catch (err) {
        return violation((err as Error).message)
      }
      if (++queued > (opts.maxQueuedRequests ?? DEFAULT_REQQ)) return violation('too many queued requests')
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
          stats.hashRequestsServed++
          return send(encodeHashes(req, answer.hashes))
        }
        stats.hashRequestsRejected++
        opts.onHashReject?.(answer.reject, `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`)
        await send(encodeHashReject(req))
      })
    } else if (m.id === MSG.extended) {
      if (m.payload.length < 1) return violation('empty extended message')
      const ext = m.payload[0] as number
      const body = m.payload.subarray(1)
      if (ext === 0) peerMetadataId = parseExtendedHandshake(body).extensions.get('ut_metadata') ?? 0
      else if (ext === UT_METADATA_ID && peerMetadataId)
        serveMetadata(t.info, body, peerMetadataId, stats, send)
    }
    // choke/unchoke/interested/have/bitfield/cancel/port/keep-alive, and hashes / hash reject (a seed
    // asks for no hashes): nothing to do.
  }
  const reader = new FrameReader(
    MAX_BLOCK + 13,
    (h) => {
      seeded = ctx.torrents.get(Buffer.from(h.infoHash).toString('hex'))
      if (!seeded) return violation('handshake for a torrent we do not seed')
      const layout = seeded.storage.layout
      const st = seeded.storage
      // BEP 52 upgrade path: a hybrid's v1 handshake with the v2 bit may be answered with the v2 hash.
      const upgrade = h.v2 && seeded.v2Hash !== null && !seeded.v2Hash.equals(h.infoHash)
      if (upgrade) stats.v2Upgrades++
      void send(
        encodeHandshake(upgrade ? (seeded.v2Hash as Buffer) : h.infoHash, ctx.peerId, true, layout.v2),
      )
      if (h.extended) {
        const hs = encodeExtendedHandshake({
          extensions: { ut_metadata: UT_METADATA_ID },
          clientName: CLIENT_NAME,
          reqq: opts.maxQueuedRequests ?? DEFAULT_REQQ,
          metadataSize: seeded.info.length,
        })
        void send(encodeMessage(MSG.extended, Buffer.from([0]), hs))
      }
      advertised = new Uint8Array(layout.pieceCount)
      for (let i = 0; i < layout.pieceCount; i++) advertised[i] = st.has(i) ? 1 : 0
      void send(encodeBitfield(layout.pieceCount, (i) => advertised?.[i] === 1))
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
  socket.on('close', () => clearInterval(idle))
}
