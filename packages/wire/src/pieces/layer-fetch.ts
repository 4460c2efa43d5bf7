// The BEP 52 piece layers a v2-only download lacks (a magnet gives the info dict, not the .torrent's
// `piece layers`): asked of peers with hash requests for the piece layer in chunks of at most 512
// hashes with the uncle hashes up to the pieces root, each answer checked against the root before it
// is kept. Pieces of a file wait until its whole layer is known, then verify as usual.
import { MAX_HASH_REQUEST_LENGTH } from '../constants.js'
import { PieceError } from './errors.js'
import type { LayoutFile, TorrentLayout } from './layout.js'
import { fileDepth, HASH_LENGTH, nextPow2, pieceHeight, verifyHashes } from './merkle.js'
import { encodeHashRequest, type HashRequest, type HashesMessage } from './messages.js'
import { needsPieceLayer, rootHex, verifyPieceLayer, type PieceLayers } from './verify.js'

/** What the fetcher needs of a connected peer. */
export interface HashPeer {
  readonly addr: string
  /** BEP 3 have bits, one byte a piece. */
  readonly have: Uint8Array
  send(buf: Buffer): void
}

interface Chunk {
  file: LayoutFile
  key: string
  /** First piece of the file in the torrent. */
  first: number
  request: HashRequest
  /** Hashes in the file (the rest of `request.length` are pad hashes). */
  real: number
  hashes: Buffer[] | null
  askedOf: HashPeer | null
  timer: NodeJS.Timeout | undefined
  /** Peers that rejected it or did not answer in time. */
  tried: Set<HashPeer>
}

/** Hash requests in flight per peer (libtorrent keeps two). */
const PER_PEER = 2

export class LayerFetcher {
  /** Every piece layer known, given or fetched and verified (hex pieces root → layer). */
  readonly layers = new Map<string, Uint8Array>()
  private readonly chunks: Chunk[] = []
  /** Pieces whose file's layer is still missing. */
  private readonly blocked = new Set<number>()
  private readonly asked = new Map<HashPeer, number>()
  /** Files waiting for each missing layer (identical files share a pieces root). */
  private readonly waiting = new Map<string, LayoutFile[]>()
  /** Hashes messages that verified, and hashes messages nobody asked for (ignored). */
  answered = 0
  unsolicited = 0

  constructor(
    private readonly layout: TorrentLayout,
    given: PieceLayers | undefined,
    private readonly timeoutMs: number,
    /** Called when a request was rejected or timed out, so the caller can ask someone else. */
    private readonly onChange: () => void,
    /** Pieces the download wants: only their files' layers are fetched. */
    wants: (index: number) => boolean = () => true,
  ) {
    const l = layout
    for (const f of l.files) {
      if (!needsPieceLayer(l, f)) continue
      const key = rootHex(f)
      const layer = given?.get(key)
      if (layer) {
        if (!verifyPieceLayer(l, f, layer))
          throw new PieceError('ERR_BAD_INFO', `piece layer of ${key} does not hash to its pieces root`)
        this.layers.set(key, layer)
        continue
      }
      // Hybrids verify by SHA-1; only v2-only torrents need the layer before pieces can be checked.
      if (l.v1Pieces) continue
      const first = f.offset / l.pieceLength
      if (!Array.from({ length: Math.ceil(f.length / l.pieceLength) }, (_, k) => first + k).some(wants))
        continue
      for (let k = 0; k < Math.ceil(f.length / l.pieceLength); k++) this.blocked.add(first + k)
      const files = this.waiting.get(key)
      if (files) files.push(f)
      else {
        this.waiting.set(key, [f])
        this.plan(f, key)
      }
    }
  }

  private plan(f: LayoutFile, key: string): void {
    const l = this.layout
    const n = Math.ceil(f.length / l.pieceLength)
    const depth = fileDepth(f.length)
    const ph = pieceHeight(l.pieceLength, f.length)
    const first = f.offset / l.pieceLength
    for (let index = 0; index < n; index += MAX_HASH_REQUEST_LENGTH) {
      const length = Math.min(MAX_HASH_REQUEST_LENGTH, nextPow2(n - index))
      this.chunks.push({
        file: f,
        key,
        first,
        request: {
          piecesRoot: f.piecesRoot as Uint8Array,
          base: ph,
          index,
          length,
          proofLayers: depth - ph - 1,
        },
        real: Math.min(length, n - index),
        hashes: null,
        askedOf: null,
        timer: undefined,
        tried: new Set(),
      })
    }
  }

  /** True when piece `index` can be verified (its file's layer is known or not needed). */
  ready(index: number): boolean {
    return !this.blocked.has(index)
  }

  get missing(): boolean {
    return this.blocked.size > 0
  }

  /** Sends `peer` the hash requests it may answer: chunks nobody is asked for whose pieces it has some of. */
  ask(peer: HashPeer): void {
    for (const c of this.chunks) {
      if ((this.asked.get(peer) ?? 0) >= PER_PEER) return
      if (c.hashes || c.askedOf || c.tried.has(peer)) continue
      let has = false
      for (let k = 0; k < c.real && !has; k++) has = peer.have[c.first + c.request.index + k] === 1
      if (!has) continue
      c.askedOf = peer
      this.asked.set(peer, (this.asked.get(peer) ?? 0) + 1)
      c.timer = setTimeout(() => this.giveUp(c), this.timeoutMs)
      peer.send(encodeHashRequest(c.request))
    }
  }

  private find(r: HashRequest): Chunk | undefined {
    const key = Buffer.from(r.piecesRoot).toString('hex')
    return this.chunks.find(
      (c) =>
        c.key === key &&
        c.request.base === r.base &&
        c.request.index === r.index &&
        c.request.length === r.length &&
        c.request.proofLayers === r.proofLayers,
    )
  }

  private free(c: Chunk, tried: boolean): void {
    clearTimeout(c.timer)
    c.timer = undefined
    const peer = c.askedOf
    if (!peer) return
    c.askedOf = null
    this.asked.set(peer, (this.asked.get(peer) ?? 1) - 1)
    if (tried) c.tried.add(peer)
  }

  private giveUp(c: Chunk): void {
    this.free(c, true)
    this.onChange()
  }

  /**
   * A hashes message. 'bad' when the hashes do not prove against the pieces root (the caller drops
   * the peer); 'ignored' when it answers nothing we still need; 'ok' when kept.
   */
  onHashes(peer: HashPeer, m: HashesMessage): 'ok' | 'bad' | 'ignored' {
    const c = this.find(m)
    if (!c || c.hashes) {
      this.unsolicited++
      return 'ignored'
    }
    const depth = c.request.base + c.request.proofLayers + 1
    if (
      !verifyHashes(
        c.file.piecesRoot as Uint8Array,
        depth,
        m.base,
        m.index,
        m.length,
        m.proofLayers,
        m.hashes,
      )
    ) {
      if (c.askedOf === peer) this.free(c, true)
      return 'bad'
    }
    this.free(c, false)
    this.answered++
    c.hashes = m.hashes.slice(0, c.real)
    const parts = this.chunks.filter((x) => x.key === c.key)
    if (parts.every((x) => x.hashes)) {
      const layer = new Uint8Array(Buffer.concat(parts.flatMap((x) => x.hashes as Buffer[])))
      if (!verifyPieceLayer(this.layout, c.file, layer)) return 'bad' // cannot happen if each chunk proved
      this.layers.set(c.key, layer)
      const n = layer.length / HASH_LENGTH
      for (const f of this.waiting.get(c.key) ?? [])
        for (let k = 0; k < n; k++) this.blocked.delete(f.offset / this.layout.pieceLength + k)
    }
    return 'ok'
  }

  /** A hash reject: that peer will not answer this chunk; someone else is asked. */
  onReject(peer: HashPeer, r: HashRequest): void {
    const c = this.find(r)
    if (c && c.askedOf === peer) this.free(c, true)
  }

  /** The peer left: its requests go back to the pool. */
  release(peer: HashPeer): void {
    for (const c of this.chunks) if (c.askedOf === peer) this.free(c, false)
    this.asked.delete(peer)
  }

  /** A chunk every one of `peers` rejected or let time out, described; undefined if none. */
  stuck(peers: ReadonlySet<HashPeer>): string | undefined {
    if (peers.size === 0) return undefined
    for (const c of this.chunks) {
      if (c.hashes || c.askedOf) continue
      if ([...peers].every((p) => c.tried.has(p)))
        return `no peer gave the piece layer of file ${c.key.slice(0, 16)}… (hashes ${c.request.index}+${c.request.length})`
    }
    return undefined
  }

  close(): void {
    for (const c of this.chunks) clearTimeout(c.timer)
  }
}
