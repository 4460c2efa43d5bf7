// Which wanted piece a download fetches from which peer, and the block requests for it (download.ts):
// pieces wait in `pending` until an unchoked peer that has them takes one, within the in-flight caps
// (the download's memory bound: one buffer per in-flight piece); each in-flight piece has a timer that
// drops its peer if it stalls. Blocks of 16 KiB (never the pad bytes) are requested in order, at most
// BLOCK_WINDOW outstanding per peer, and each block received must be one we asked for.
import type { Socket } from 'node:net'
import type { DownloadOptions } from './download-options.js'
import { neededLength, pieceSize, type TorrentLayout } from './layout.js'
import { encodeRequest } from './messages.js'

export const BLOCK = 16384
/**
 * Block requests outstanding per peer: within the BEP 10 `reqq` peers allow (250 for ours, 500 for
 * libtorrent) whatever the piece size, and 2 MiB in flight is plenty on loopback and LANs.
 */
const BLOCK_WINDOW = 128

/** A connected peer of a download. */
export interface DownloadPeer {
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

/** A piece being fetched from one peer. */
export interface InFlight {
  peer: DownloadPeer
  buf: Buffer
  received: number
  needed: number
  /** Offset of the next block to request. */
  next: number
  timer: NodeJS.Timeout
}

export class PieceScheduler {
  /** Wanted pieces that no peer is fetching (in the order to ask for them): assign() takes from here. */
  readonly pending = new Set<number>()
  private readonly inFlight = new Map<number, InFlight>()

  constructor(
    private readonly layout: TorrentLayout,
    private readonly opts: DownloadOptions,
    /** Pieces still wanted: only those go back to pending when released. */
    private readonly wanted: ReadonlySet<number>,
    /** Whether a piece can be verified once fetched (a v2 piece needs its file's layer). */
    private readonly hashes: { ready(index: number): boolean },
  ) {}

  /** Hands out pending pieces to unchoked peers that have them, within the in-flight caps. */
  assign(peers: Iterable<DownloadPeer>): void {
    const maxAll =
      this.opts.maxInFlightPieces ??
      Math.max(4, Math.min(64, Math.floor((64 << 20) / this.layout.pieceLength)))
    const maxPeer = this.opts.maxPiecesPerPeer ?? 16
    for (const peer of peers) {
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
  feed(peer: DownloadPeer): void {
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

  /**
   * Copies a received block into its piece: 'stale' for a late block of a piece we gave up on (or gave
   * to another peer), 'bad' for one we did not ask for, 'more' while the piece lacks blocks, and the
   * piece once it is whole (still in flight: see done()).
   */
  block(
    peer: DownloadPeer,
    index: number,
    begin: number,
    block: Buffer,
  ): InFlight | 'stale' | 'bad' | 'more' {
    const f = this.inFlight.get(index)
    if (!f || f.peer !== peer) return 'stale'
    if (begin % BLOCK !== 0 || begin >= f.next || block.length !== Math.min(BLOCK, f.needed - begin))
      return 'bad'
    block.copy(f.buf, begin)
    f.received += block.length
    peer.outstanding = Math.max(0, peer.outstanding - 1)
    return f.received >= f.needed ? f : 'more'
  }

  /** Takes a whole piece out of flight (to be verified and stored). */
  done(index: number, f: InFlight): void {
    clearTimeout(f.timer)
    this.inFlight.delete(index)
    f.peer.pieces.delete(index)
  }

  /** Gives an in-flight piece back to the pending set (its peer choked us, stalled or left). */
  release(index: number): void {
    const f = this.inFlight.get(index)
    if (!f) return
    clearTimeout(f.timer)
    this.inFlight.delete(index)
    if (this.wanted.has(index)) this.pending.add(index)
  }

  /** Gives back every piece a peer was fetching. */
  releasePeer(peer: DownloadPeer): void {
    for (const i of peer.pieces) this.release(i)
    peer.pieces.clear()
  }

  /** Forgets every piece in flight and its timer (the download is over). */
  clear(): void {
    for (const f of this.inFlight.values()) clearTimeout(f.timer)
    this.inFlight.clear()
  }
}
