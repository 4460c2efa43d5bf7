// Downloads pieces of a torrent from a set of peers: dial a few at a time, request 16 KiB blocks of
// whole pieces (never the pad bytes), verify each piece (BEP 3 SHA-1 and/or BEP 52 merkle) before it
// is stored, drop peers that send bad data or stall, and give up at an overall deadline. Memory is
// bounded by `maxInFlightPieces` piece buffers plus whatever the storage keeps. A v2-only torrent
// without its piece layers (info dict from a magnet) gets them from peers by BEP 52 hash requests
// (layer-fetch.ts); peers sending hashes that do not prove against the pieces root are dropped.
import type { Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { MSG, PEER_ID_PREFIX } from '../constants.js'
import { dial, formatAddress, type PeerAddress } from '../dial.js'
import { PieceError } from './errors.js'
import { MAX_HASH_REQUEST_LENGTH } from '../constants.js'
import { LayerFetcher } from './layer-fetch.js'
import { layoutFromInfo, neededLength, pieceSize, type TorrentLayout } from './layout.js'
import {
  decodeHashes,
  decodeHashRequest,
  encodeHandshake,
  encodeHashReject,
  encodeMessage,
  encodeRequest,
  FrameReader,
  type Message,
} from './messages.js'
import type { DownloadOptions, DownloadResult } from './download-options.js'
import { MemoryStorage, type PieceStorage } from './storage.js'
import { verifyPiece } from './verify.js'

const BLOCK = 16384
/**
 * Block requests outstanding per peer: within the BEP 10 `reqq` peers allow (250 for ours, 500 for
 * libtorrent) whatever the piece size, and 2 MiB in flight is plenty on loopback and LANs.
 */
const BLOCK_WINDOW = 128

export type { DownloadOptions, DownloadProgress, DownloadResult } from './download-options.js'

interface Peer {
  addr: string
  socket: Socket
  send: (buf: Buffer) => void
  choked: boolean
  have: Uint8Array
  pieces: Set<number>
  /** Block requests sent and not answered yet (at most BLOCK_WINDOW). */
  outstanding: number
  drop: (why: string) => void
}

interface InFlight {
  peer: Peer
  buf: Buffer
  received: number
  needed: number
  /** Offset of the next block to request. */
  next: number
  timer: NodeJS.Timeout
}

export async function downloadPieces(opts: DownloadOptions): Promise<DownloadResult> {
  return new Downloader(opts).run()
}

class Downloader {
  private readonly layout: TorrentLayout
  private readonly storage: PieceStorage
  private readonly wanted = new Set<number>()
  /** Wanted pieces that no peer is fetching (in the order to ask for them): pump() takes from here. */
  private readonly pending = new Set<number>()
  private readonly total: number
  private readonly inFlight = new Map<number, InFlight>()
  private readonly peers = new Set<Peer>()
  private readonly queue: PeerAddress[]
  private dialing = 0
  private readonly started = Date.now()
  private readonly r = {
    bytesFetched: 0,
    piecesFetched: 0,
    badPieces: 0,
    badHashes: 0,
    failures: [] as { peer: string; reason: string }[],
  }
  private finish: ((err?: Error) => void) | undefined
  private readonly peerId: Uint8Array
  private readonly hashes: LayerFetcher

  constructor(private readonly opts: DownloadOptions) {
    this.layout = layoutFromInfo(opts.info)
    this.storage = opts.storage ?? MemoryStorage.empty(this.layout)
    for (const i of opts.pieces ?? Array.from({ length: this.layout.pieceCount }, (_, k) => k)) {
      if (!Number.isInteger(i) || i < 0 || i >= this.layout.pieceCount)
        throw new PieceError('ERR_BAD_INFO', `no piece ${i}`)
      if (!this.storage.has(i)) this.wanted.add(i)
    }
    this.hashes = new LayerFetcher(
      this.layout,
      opts.pieceLayers,
      opts.pieceTimeoutMs ?? 10_000,
      () => this.pump(),
      (i) => this.wanted.has(i),
    )
    this.total = this.wanted.size
    for (const i of this.wanted) this.pending.add(i)
    this.queue = [...opts.peers]
    this.peerId = opts.peerId ?? Buffer.concat([Buffer.from(PEER_ID_PREFIX, 'latin1'), randomBytes(12)])
  }

  async run(): Promise<DownloadResult> {
    // Pieces whose needed length is 0 (all padding) are stored without asking anyone.
    for (const i of [...this.wanted])
      if (neededLength(this.layout, i) === 0) await this.complete(i, Buffer.alloc(pieceSize(this.layout, i)))
    if (this.wanted.size === 0) return this.result()
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.finish?.(
            new PieceError(
              'ERR_PIECE_TIMEOUT',
              `download timed out with ${this.wanted.size} of ${this.total} pieces missing`,
            ),
          ),
        this.opts.timeoutMs ?? 60_000,
      )
      const onAbort = (): void => this.finish?.(new PieceError('ERR_PIECE_ABORTED', 'download aborted'))
      this.opts.signal?.addEventListener('abort', onAbort, { once: true })
      this.finish = (err) => {
        this.finish = undefined
        clearTimeout(timer)
        this.opts.signal?.removeEventListener('abort', onAbort)
        for (const f of this.inFlight.values()) clearTimeout(f.timer)
        this.inFlight.clear()
        this.hashes.close()
        for (const p of this.peers) p.socket.destroy()
        this.peers.clear()
        if (err) reject(err)
        else resolve()
      }
      if (this.opts.signal?.aborted) return onAbort()
      this.dialMore()
    })
    return this.result()
  }

  private result(): DownloadResult {
    return {
      storage: this.storage,
      ...this.r,
      pieceLayers: this.hashes.layers,
      hashesFetched: this.hashes.answered,
      ms: Date.now() - this.started,
    }
  }

  private dialMore(): void {
    while (
      this.finish &&
      this.queue.length > 0 &&
      this.peers.size + this.dialing < (this.opts.maxPeers ?? 8)
    ) {
      const addr = this.queue.shift() as PeerAddress
      this.dialing++
      dial(addr, this.opts.dialTimeoutMs ?? 5_000, this.opts.signal)
        .then((socket) => {
          this.dialing--
          if (!this.finish) return void socket.destroy()
          this.attach(formatAddress(addr), socket)
        })
        .catch((err: Error) => {
          this.dialing--
          this.fail(formatAddress(addr), err.message)
        })
    }
    if (this.finish && this.peers.size === 0 && this.dialing === 0 && this.queue.length === 0) {
      const why = this.r.failures.map((f) => `${f.peer}: ${f.reason}`).join('; ')
      this.finish(
        new PieceError(
          'ERR_NO_PEERS',
          `no peer left with ${this.wanted.size} pieces missing${why ? ` (${why})` : ''}`,
        ),
      )
    }
  }

  private fail(addr: string, reason: string): void {
    this.r.failures.push({ peer: addr, reason })
    this.dialMore()
  }

  private attach(addr: string, socket: Socket): void {
    const peer: Peer = {
      addr,
      socket,
      choked: true,
      have: new Uint8Array(this.layout.pieceCount),
      pieces: new Set(),
      outstanding: 0,
      drop: () => undefined,
      send: (buf) => void socket.write(buf),
    }
    this.peers.add(peer)
    let dropped = false
    const drop = (reason: string): void => {
      if (dropped) return
      dropped = true
      socket.destroy()
      this.peers.delete(peer)
      this.hashes.release(peer)
      for (const i of peer.pieces) this.release(i)
      peer.pieces.clear()
      if (this.finish) {
        this.fail(addr, reason)
        this.pump()
      }
    }
    peer.drop = drop
    const reader = new FrameReader(
      // The largest honest message: a block, our bitfield, or the hashes of one hash request (512 and
      // a proof of at most 64 uncles).
      Math.max(
        BLOCK + 13,
        Math.ceil(this.layout.pieceCount / 8) + 1,
        49 + 32 * (MAX_HASH_REQUEST_LENGTH + 64),
      ),
      (h) => {
        if (!Buffer.from(h.infoHash).equals(Buffer.from(this.layout.infoHash)))
          return drop('wrong infohash in handshake')
        socket.write(encodeMessage(MSG.interested))
      },
      (m) => this.onMessage(peer, m, drop),
    )
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk)
      } catch (err) {
        drop((err as Error).message)
      }
    })
    socket.on('error', (err) => drop(err.message))
    socket.on('close', () => drop('closed by peer'))
    socket.write(encodeHandshake(this.layout.infoHash, this.peerId, false))
  }

  private onMessage(peer: Peer, m: Message, drop: (why: string) => void): void {
    const n = this.layout.pieceCount
    if (m.id === MSG.unchoke) peer.choked = false
    else if (m.id === MSG.choke) {
      peer.choked = true
      for (const i of peer.pieces) this.release(i)
      peer.pieces.clear()
      peer.outstanding = 0 // a choke discards the peer's queue of our requests (BEP 3)
    } else if (m.id === MSG.have) {
      if (m.payload.length !== 4 || m.payload.readUInt32BE(0) >= n) return drop('bad have')
      peer.have[m.payload.readUInt32BE(0)] = 1
    } else if (m.id === MSG.bitfield) {
      if (m.payload.length !== Math.ceil(n / 8)) return drop('bitfield of the wrong length')
      for (let i = 0; i < n; i++) peer.have[i] = ((m.payload[i >> 3] ?? 0) >> (7 - (i & 7))) & 1
    } else if (m.id === MSG.piece) {
      if (m.payload.length < 9) return drop('short piece message')
      const index = m.payload.readUInt32BE(0)
      const begin = m.payload.readUInt32BE(4)
      const block = m.payload.subarray(8)
      const f = this.inFlight.get(index)
      if (!f || f.peer !== peer) return // late block of a piece we gave up on: ignore
      if (begin % BLOCK !== 0 || begin >= f.next || block.length !== Math.min(BLOCK, f.needed - begin))
        return drop('block outside what we asked for')
      block.copy(f.buf, begin)
      f.received += block.length
      peer.outstanding = Math.max(0, peer.outstanding - 1)
      this.r.bytesFetched += block.length
      if (f.received >= f.needed) void this.pieceDone(index, f, drop)
      this.feed(peer)
      return
    } else if (m.id === MSG.hashes) {
      const verdict = this.hashes.onHashes(peer, decodeHashes(m.payload))
      if (verdict === 'bad') {
        this.r.badHashes++
        return drop('hashes failed verification against the pieces root')
      }
    } else if (m.id === MSG.hashReject) this.hashes.onReject(peer, decodeHashRequest(m.payload))
    else if (m.id === MSG.hashRequest) {
      // BEP 52: a hash request must be answered; while downloading we serve none.
      return void peer.send(encodeHashReject(decodeHashRequest(m.payload)))
    } else return
    this.pump()
  }

  private async pieceDone(index: number, f: InFlight, drop: (why: string) => void): Promise<void> {
    clearTimeout(f.timer)
    this.inFlight.delete(index)
    f.peer.pieces.delete(index)
    if (!verifyPiece(this.layout, index, f.buf, this.hashes.layers)) {
      this.r.badPieces++
      this.pending.add(index)
      return drop(`piece ${index} failed verification`)
    }
    try {
      await this.complete(index, f.buf)
    } catch (err) {
      return this.finish?.(
        new PieceError('ERR_STORAGE', `storing piece ${index}: ${(err as Error).message}`, { cause: err }),
      )
    }
    this.pump()
  }

  private async complete(index: number, data: Buffer): Promise<void> {
    await this.storage.write(index, data)
    this.pending.delete(index)
    if (!this.wanted.delete(index)) return
    this.r.piecesFetched++
    this.opts.onProgress?.({
      piecesDone: this.total - this.wanted.size,
      piecesWanted: this.total,
      bytesFetched: this.r.bytesFetched,
    })
    if (this.wanted.size === 0) this.finish?.()
  }

  /** Gives an in-flight piece back to the pending set (its peer choked us, stalled or left). */
  private release(index: number): void {
    const f = this.inFlight.get(index)
    if (!f) return
    clearTimeout(f.timer)
    this.inFlight.delete(index)
    if (this.wanted.has(index)) this.pending.add(index)
  }

  /** Hands out wanted pieces to unchoked peers that have them, within the in-flight caps. */
  private pump(): void {
    if (!this.finish) return
    if (this.hashes.missing) {
      for (const peer of this.peers) this.hashes.ask(peer)
      const stuck = this.queue.length === 0 && this.dialing === 0 ? this.hashes.stuck(this.peers) : undefined
      if (stuck) return this.finish(new PieceError('ERR_NO_PEERS', stuck))
    }
    const maxAll =
      this.opts.maxInFlightPieces ??
      Math.max(4, Math.min(64, Math.floor((64 << 20) / this.layout.pieceLength)))
    const maxPeer = this.opts.maxPiecesPerPeer ?? 16
    for (const peer of this.peers) {
      if (this.inFlight.size >= maxAll) return
      if (peer.choked) continue
      for (const i of this.pending) {
        if (this.inFlight.size >= maxAll || peer.pieces.size >= maxPeer) break
        if (peer.have[i] !== 1 || !this.hashes.ready(i)) continue
        this.pending.delete(i)
        const needed = neededLength(this.layout, i)
        const timer = setTimeout(() => peer.drop(`piece ${i} timed out`), this.opts.pieceTimeoutMs ?? 10_000)
        this.inFlight.set(i, {
          peer,
          buf: Buffer.alloc(pieceSize(this.layout, i)),
          received: 0,
          needed,
          next: 0,
          timer,
        })
        peer.pieces.add(i)
      }
      this.feed(peer)
    }
  }

  /** Requests the next blocks of a peer's pieces, in order, while its window has room. */
  private feed(peer: Peer): void {
    for (const i of peer.pieces) {
      const f = this.inFlight.get(i)
      if (!f) continue
      for (; f.next < f.needed; f.next += BLOCK) {
        if (peer.outstanding >= BLOCK_WINDOW) return
        peer.socket.write(encodeRequest(i, f.next, Math.min(BLOCK, f.needed - f.next)))
        peer.outstanding++
      }
    }
  }
}
