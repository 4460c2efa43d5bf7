// Answers BEP 52 hash requests for one seeded torrent: the hashes of any layer of a file's merkle
// tree with the uncle hashes up to its pieces root. Layers at or above the piece layer come from a
// per-file tree built from the .torrent's piece layer (if the seeder passed it) or by hashing the
// file once; layers below it by hashing the one piece the request falls in. Requests are checked
// against the tree's bounds first, so a hostile request costs at most one piece read.
import { MAX_HASH_REQUEST_LENGTH, MAX_HASH_REQUEST_LENGTH_IN_PIECE } from '../constants.js'
import type { LayoutFile } from './layout.js'
import {
  blockHashes,
  fileDepth,
  log2,
  MERKLE_BLOCK,
  MerkleLayers,
  nextPow2,
  pieceHeight,
  pieceRoot,
  uncles,
} from './merkle.js'
import type { HashRequest } from './messages.js'
import type { PieceStorage } from './storage.js'
import { needsPieceLayer, rootHex, verifyPieceLayer, type PieceLayers } from './verify.js'

export type HashAnswer = { hashes: Buffer[] } | { reject: string }

/** Default bound on the cached merkle trees of a server (32 bytes a node, about 64 per piece). */
export const DEFAULT_HASH_CACHE_BYTES = 64 << 20

/**
 * Built file trees (and trees being built, shared by concurrent requests), least recently used
 * first, within a byte budget shared by every torrent of a server. The newest tree is kept even if
 * it alone exceeds the budget, until the next one is built.
 */
export class TreeCache {
  private readonly trees = new Map<string, Promise<MerkleLayers | null>>()
  private readonly sizes = new Map<string, number>()
  private bytes = 0

  constructor(private readonly maxBytes = DEFAULT_HASH_CACHE_BYTES) {}

  get cachedBytes(): number {
    return this.bytes
  }

  get(key: string, build: () => Promise<MerkleLayers | null>): Promise<MerkleLayers | null> {
    const cached = this.trees.get(key)
    if (cached) {
      this.trees.delete(key) // re-insert: most recently used last
      this.trees.set(key, cached)
      return cached
    }
    const built = build()
    this.trees.set(key, built)
    void built.then(
      (t) => this.account(key, t?.bytes ?? 0),
      () => this.trees.delete(key),
    )
    return built
  }

  private account(key: string, bytes: number): void {
    if (!this.trees.has(key)) return // evicted while it was being built
    this.sizes.set(key, bytes)
    this.bytes += bytes
    for (const old of this.trees.keys()) {
      if (this.bytes <= this.maxBytes) break
      if (old === key || !this.sizes.has(old)) continue // the newest, or still being built
      this.bytes -= this.sizes.get(old) ?? 0
      this.sizes.delete(old)
      this.trees.delete(old)
    }
  }
}

let sources = 0

export class HashSource {
  private readonly files = new Map<string, LayoutFile>()
  private readonly layers = new Map<string, Uint8Array>()
  private readonly id = ++sources

  constructor(
    private readonly storage: PieceStorage,
    pieceLayers?: PieceLayers,
    private readonly cache = new TreeCache(),
  ) {
    const l = storage.layout
    for (const f of l.files) {
      if (f.pad || !f.piecesRoot) continue
      const key = rootHex(f)
      this.files.set(key, f)
      const layer = pieceLayers?.get(key)
      // A layer that does not hash up to the root is ignored: we would only be serving garbage.
      if (layer && needsPieceLayer(l, f) && verifyPieceLayer(l, f, layer)) this.layers.set(key, layer)
    }
  }

  /** The hashes for `r`, or why we reject it. Never throws for a bad request. */
  async answer(r: HashRequest): Promise<HashAnswer> {
    const l = this.storage.layout
    const f = this.files.get(Buffer.from(r.piecesRoot).toString('hex'))
    if (!l.v2 || !f) return { reject: 'unknown pieces root' }
    const depth = fileDepth(f.length)
    const ph = pieceHeight(l.pieceLength, f.length)
    if (r.length < 1 || r.base >= depth) return { reject: 'no such layer' }
    const span = nextPow2(r.length)
    if (r.index + r.length > 2 ** (depth - r.base) || r.index % span !== 0)
      return { reject: 'range outside the layer or not aligned to its length' }
    if (r.proofLayers >= depth - r.base) return { reject: 'more proof layers than the tree has' }
    const inPiece = r.base + log2(span) <= ph
    // Below the piece layer we hash one piece per request, so a range must not cross pieces.
    if (r.base < ph && !inPiece) return { reject: 'range below the piece layer spans pieces' }
    if (r.length > (inPiece ? MAX_HASH_REQUEST_LENGTH_IN_PIECE : MAX_HASH_REQUEST_LENGTH))
      return { reject: `length ${r.length} over the cap` }
    const needTree = r.base >= ph || r.base + r.proofLayers >= ph
    const tree = needTree ? await this.tree(f, depth, ph) : null
    if (needTree && !tree) return { reject: 'piece layer unknown (pieces missing)' }
    let sub: MerkleLayers | null = null
    let piece = 0
    if (r.base < ph) {
      // Below the piece layer: hash the one piece the range falls in.
      piece = Math.floor((r.index * 2 ** r.base) / 2 ** ph)
      const local = f.length - piece * l.pieceLength
      const global = f.offset / l.pieceLength + piece
      if (local <= 0 || !this.storage.has(global)) return { reject: `piece ${global} not held` }
      const data = await this.storage.read(global, 0, Math.min(l.pieceLength, local))
      sub = new MerkleLayers(blockHashes(data), 0, ph)
      if (tree && !sub.root.equals(tree.node(ph, piece))) return { reject: 'stored data does not match' }
    }
    const node = (h: number, i: number): Buffer =>
      h >= ph ? (tree as MerkleLayers).node(h, i) : (sub as MerkleLayers).node(h, i - piece * 2 ** (ph - h))
    const hashes: Buffer[] = []
    for (let k = 0; k < r.length; k++) hashes.push(node(r.base, r.index + k))
    hashes.push(...uncles(node, r.base, r.index, r.length, r.proofLayers))
    return { hashes }
  }

  /** The file's tree from the piece layer (height `ph`) to the root; null while pieces are missing. */
  private tree(f: LayoutFile, depth: number, ph: number): Promise<MerkleLayers | null> {
    const key = rootHex(f)
    const l = this.storage.layout
    const first = f.offset / l.pieceLength
    const count = Math.ceil(f.length / l.pieceLength)
    const layer = this.layers.get(key)
    if (!layer && ph < depth)
      for (let k = 0; k < count; k++) if (!this.storage.has(first + k)) return Promise.resolve(null)
    // Keyed by this source too: a tree that failed against our data says nothing of another torrent's.
    return this.cache.get(`${this.id}:${key}`, async () => {
      if (ph === depth) return new MerkleLayers([Buffer.from(f.piecesRoot as Uint8Array)], depth, depth)
      const hashes: Buffer[] = []
      if (layer) for (let k = 0; k < count; k++) hashes.push(Buffer.from(layer.subarray(k * 32, k * 32 + 32)))
      else
        for (let k = 0; k < count; k++) {
          const len = Math.min(l.pieceLength, f.length - k * l.pieceLength)
          hashes.push(pieceRoot(await this.storage.read(first + k, 0, len), l.pieceLength / MERKLE_BLOCK))
        }
      const t = new MerkleLayers(hashes, ph, depth)
      return t.root.equals(f.piecesRoot as Uint8Array) ? t : null
    })
  }
}
