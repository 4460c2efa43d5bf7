// File-level cross-seeding: serve torrent B's pieces for the files of B whose BEP 52 pieces roots match
// files we hold for another torrent A. BEP 52 starts every file on a piece boundary, so piece k of a
// file in B is bytes [k·pieceLength, …) of the file whatever A's layout; B's piece layer depends on
// B's piece length, so it is computed here from our bytes and must hash up to B's pieces root before
// any piece of the file is advertised. Every piece is verified again (v2 hash and, for hybrids, v1
// SHA-1) when it is read to be served; a piece that fails is dropped from what we have, counted, and
// never sent. Read-only: B's files we lack are simply missing from the bitfield.
import { PieceError } from './errors.js'
import type { FileSource } from './file-source.js'
import { filesIn, pieceSize, type LayoutFile, type TorrentLayout } from './layout.js'
import { blockHashes, fileDepth, log2, MERKLE_BLOCK, MerkleLayers, nextPow2, pieceRoot } from './merkle.js'
import type { PieceStorage } from './storage.js'
import { filePath } from './storage.js'
import { rootHex, verifyPiece, type PieceLayers } from './verify.js'

/** What became of one file of B when the storage was opened. */
export interface CrossSeedFile {
  path: string
  piecesRoot: string
  length: number
  /** held: verified against B's pieces root; missing: no source; mismatch: a source failed the root. */
  state: 'held' | 'missing' | 'mismatch'
  /** The source it is served from (held) or that failed (mismatch). */
  source?: string
}

export interface CrossSeedStats {
  /** Pieces verified as they were read to be served. */
  piecesVerified: number
  /** Pieces whose bytes failed verification when read to be served: not sent, no longer advertised. */
  verifyFailures: number
}

export interface CrossSeedOptions {
  /** Told when served data fails verification (the disk changed under us), for logs. */
  onVerifyFailure?: (index: number, source: string) => void
}

export class CrossSeedStorage implements PieceStorage {
  private readonly held = new Map<LayoutFile, FileSource>()
  private readonly have: Uint8Array
  private readonly s: CrossSeedStats = { piecesVerified: 0, verifyFailures: 0 }
  /** The last verified piece: a peer asks for a piece block by block, so it is read and hashed once. */
  private last: { index: number; data: Promise<Uint8Array> } | undefined

  private constructor(
    readonly layout: TorrentLayout,
    readonly files: readonly CrossSeedFile[],
    held: ReadonlyMap<LayoutFile, FileSource>,
    /** B's piece layers (hex pieces root → layer) for the held files larger than a piece. */
    readonly pieceLayers: PieceLayers,
    private readonly opts: CrossSeedOptions,
  ) {
    for (const [f, src] of held) this.held.set(f, src)
    this.have = new Uint8Array(layout.pieceCount)
    for (let i = 0; i < layout.pieceCount; i++) this.have[i] = this.covers(i) ? 1 : 0
  }

  /**
   * Matches B's files (`layout`, v2 or hybrid) with `sources` by pieces root and length and verifies
   * each match by hashing the source with B's piece length (one read of each shared file).
   */
  static async open(
    layout: TorrentLayout,
    sources: readonly FileSource[],
    opts: CrossSeedOptions = {},
  ): Promise<CrossSeedStorage> {
    if (!layout.v2) throw new PieceError('ERR_BAD_INFO', 'cross-seeding needs a v2 or hybrid torrent')
    const byRoot = new Map<string, FileSource[]>()
    for (const s of sources) {
      const k = Buffer.from(s.piecesRoot).toString('hex')
      byRoot.set(k, [...(byRoot.get(k) ?? []), s])
    }
    const files: CrossSeedFile[] = []
    const held = new Map<LayoutFile, FileSource>()
    const layers = new Map<string, Uint8Array>()
    for (const f of layout.files) {
      if (f.pad || f.length === 0 || !f.piecesRoot) continue
      const root = rootHex(f)
      const entry: CrossSeedFile = { path: filePath(f), piecesRoot: root, length: f.length, state: 'missing' }
      files.push(entry)
      // Several sources may claim the root (two torrents we seed share it): the first that proves it.
      for (const src of byRoot.get(root) ?? []) {
        if (src.length !== f.length) continue
        const layer = await pieceLayerFrom(layout, f, src).catch(() => null)
        entry.source = src.label
        if (!layer) {
          entry.state = 'mismatch'
          continue
        }
        entry.state = 'held'
        held.set(f, src)
        if (layer.length > 0) layers.set(root, layer)
        break
      }
    }
    return new CrossSeedStorage(layout, files, held, layers, opts)
  }

  get stats(): CrossSeedStats {
    return { ...this.s }
  }

  has(index: number): boolean {
    return this.have[index] === 1
  }

  async read(index: number, begin: number, length: number): Promise<Uint8Array> {
    if (!this.has(index)) throw new PieceError('ERR_STORAGE', `piece ${index} is not held`)
    const size = pieceSize(this.layout, index)
    if (begin < 0 || length < 0 || begin + length > size)
      throw new PieceError('ERR_PIECE_PROTOCOL', `range ${index}:${begin}+${length} is outside the piece`)
    if (this.last?.index !== index) this.last = { index, data: this.verified(index) }
    const data = await this.last.data.catch((err: unknown) => {
      if (this.last?.index === index) this.last = undefined
      throw err
    })
    return data.subarray(begin, begin + length)
  }

  async write(): Promise<void> {
    throw new PieceError('ERR_STORAGE', 'cross-seed storage is read-only')
  }

  /** True when every non-pad byte of the piece lies in a held file. */
  private covers(index: number): boolean {
    const l = this.layout
    const start = index * l.pieceLength
    const end = start + pieceSize(l, index)
    for (const f of filesIn(l, start, end))
      if (!f.pad && f.length > 0 && f.offset < end && f.offset + f.length > start && !this.held.has(f))
        return false
    return true
  }

  /** The whole piece (pads as zeros), verified by B's own hashes, or ERR_PIECE_VERIFY. */
  private async verified(index: number): Promise<Uint8Array> {
    const l = this.layout
    const start = index * l.pieceLength
    const data = Buffer.alloc(pieceSize(l, index))
    const labels: string[] = []
    for (const f of filesIn(l, start, start + data.length)) {
      const src = this.held.get(f)
      if (!src || f.offset >= start + data.length || f.offset + f.length <= start) continue
      const from = Math.max(start, f.offset)
      const to = Math.min(start + data.length, f.offset + f.length)
      data.set(await src.read(from - f.offset, to - from), from - start)
      labels.push(src.label)
    }
    if (verifyPiece(l, index, data, this.pieceLayers)) {
      this.s.piecesVerified++
      return data
    }
    this.have[index] = 0
    this.s.verifyFailures++
    this.opts.onVerifyFailure?.(index, labels.join(', '))
    throw new PieceError('ERR_PIECE_VERIFY', `piece ${index} from ${labels.join(', ')} failed verification`)
  }
}

/**
 * B's piece layer for `f` computed from `src` (empty when the file fits in one piece, where the
 * pieces root itself is the check), or null when the bytes do not hash up to B's pieces root.
 */
async function pieceLayerFrom(l: TorrentLayout, f: LayoutFile, src: FileSource): Promise<Uint8Array | null> {
  const root = f.piecesRoot as Uint8Array
  if (f.length <= l.pieceLength) {
    const data = await src.read(0, f.length)
    return pieceRoot(data, nextPow2(blockHashes(data).length)).equals(root) ? new Uint8Array(0) : null
  }
  const hashes: Buffer[] = []
  const count = Math.ceil(f.length / l.pieceLength)
  for (let k = 0; k < count; k++) {
    const len = Math.min(l.pieceLength, f.length - k * l.pieceLength)
    hashes.push(pieceRoot(await src.read(k * l.pieceLength, len), l.pieceLength / MERKLE_BLOCK))
  }
  const tree = new MerkleLayers(hashes, log2(l.pieceLength / MERKLE_BLOCK), fileDepth(f.length))
  return tree.root.equals(root) ? Buffer.concat(hashes) : null
}
