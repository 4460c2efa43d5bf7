// Downloads pieces of a torrent from a set of peers: dial a few at a time (each connection in
// download-peer.ts), hand out pieces and request their 16 KiB blocks (piece-scheduler.ts), verify each
// piece (BEP 3 SHA-1 and/or BEP 52 merkle) before it is stored, drop peers that send bad data or stall,
// and give up at an overall deadline. Memory is bounded by `maxInFlightPieces` piece buffers plus whatever the storage keeps. A
// v2-only torrent without its piece layers (info dict from a magnet) gets them from peers by BEP 52
// hash requests (layer-fetch.ts); peers sending hashes that do not prove against the pieces root are
// dropped.
import type { Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { MSG, PEER_ID_PREFIX } from '../constants.js'
import { dial, formatAddress, type PeerAddress } from '../dial.js'
import { attachPeer, type DownloadPeerEvents } from './download-peer.js'
import { PieceError } from './errors.js'
import { LayerFetcher } from './layer-fetch.js'
import { layoutFromInfo, neededLength, pieceSize, type TorrentLayout } from './layout.js'
import { decodeHashes, decodeHashRequest, encodeHashReject, type Message } from './messages.js'
import type { DownloadOptions, DownloadResult } from './download-options.js'
import { PieceScheduler, type DownloadPeer, type InFlight } from './piece-scheduler.js'
import { MemoryStorage, type PieceStorage } from './storage.js'
import { verifyPiece } from './verify.js'

export type { DownloadOptions, DownloadProgress, DownloadResult } from './download-options.js'

export async function downloadPieces(opts: DownloadOptions): Promise<DownloadResult> {
  return new Downloader(opts).run()
}

class Downloader {
  private readonly layout: TorrentLayout
  private readonly storage: PieceStorage
  private readonly wanted = new Set<number>()
  private readonly total: number
  private readonly scheduler: PieceScheduler
  private readonly peers = new Set<DownloadPeer>()
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
  private readonly peerEvents: DownloadPeerEvents = {
    onMessage: (peer, m) => this.onMessage(peer, m),
    onDrop: (peer, reason) => this.onDrop(peer, reason),
  }

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
    this.scheduler = new PieceScheduler(this.layout, opts, this.wanted, this.hashes)
    for (const i of this.wanted) this.scheduler.pending.add(i)
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
        this.scheduler.clear()
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
    this.peers.add(attachPeer(this.layout, this.peerId, addr, socket, this.peerEvents))
  }

  private onDrop(peer: DownloadPeer, reason: string): void {
    this.peers.delete(peer)
    this.hashes.release(peer)
    this.scheduler.releasePeer(peer)
    if (this.finish) {
      this.fail(peer.addr, reason)
      this.pump()
    }
  }

  private onMessage(peer: DownloadPeer, m: Message): void {
    const drop = peer.drop
    const n = this.layout.pieceCount
    if (m.id === MSG.unchoke) peer.choked = false
    else if (m.id === MSG.choke) {
      peer.choked = true
      this.scheduler.releasePeer(peer)
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
      const f = this.scheduler.block(peer, index, begin, block)
      if (f === 'stale') return // late block of a piece we gave up on: ignore
      if (f === 'bad') return drop('block outside what we asked for')
      this.r.bytesFetched += block.length
      if (f !== 'more') void this.pieceDone(index, f)
      this.scheduler.feed(peer)
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

  private async pieceDone(index: number, f: InFlight): Promise<void> {
    this.scheduler.done(index, f)
    if (!verifyPiece(this.layout, index, f.buf, this.hashes.layers)) {
      this.r.badPieces++
      this.scheduler.pending.add(index)
      return f.peer.drop(`piece ${index} failed verification`)
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
    this.scheduler.pending.delete(index)
    if (!this.wanted.delete(index)) return
    this.r.piecesFetched++
    this.opts.onProgress?.({
      piecesDone: this.total - this.wanted.size,
      piecesWanted: this.total,
      bytesFetched: this.r.bytesFetched,
    })
    if (this.wanted.size === 0) this.finish?.()
  }

  /** Asks for missing piece layers, then hands out wanted pieces to unchoked peers that have them. */
  private pump(): void {
    if (!this.finish) return
    if (this.hashes.missing) {
      for (const peer of this.peers) this.hashes.ask(peer)
      const stuck = this.queue.length === 0 && this.dialing === 0 ? this.hashes.stuck(this.peers) : undefined
      if (stuck) return this.finish(new PieceError('ERR_NO_PEERS', stuck))
    }
    this.scheduler.assign(this.peers)
  }
}
