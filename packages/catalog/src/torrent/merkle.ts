import { hash } from 'node:crypto'
import { BLOCK_SIZE, SHA256_LENGTH } from '../constants.js'

export const sha256 = (data: Uint8Array): Buffer => hash('sha256', data, 'buffer')
export const sha1 = (data: Uint8Array): Buffer => hash('sha1', data, 'buffer')

/** Parent node of a BEP 52 merkle tree: SHA-256 over the two children concatenated. */
export function hashPair(left: Uint8Array, right: Uint8Array): Buffer {
  // One-shot hash() of 64 bytes is about twice as fast as createHash().update().update().digest().
  return sha256(Buffer.concat([left, right]))
}

const zeroSubtrees: Buffer[] = [Buffer.alloc(SHA256_LENGTH)]

/**
 * Root of a subtree of 2^level leaves that all lie beyond the end of the file. BEP 52 sets those
 * leaf hashes to zero (not the hash of zeros), so level 0 is 32 zero bytes and each level above is
 * the hash of two copies of the one below.
 */
export function zeroSubtree(level: number): Buffer {
  for (let l = zeroSubtrees.length; l <= level; l++) {
    const below = zeroSubtrees[l - 1] as Buffer
    zeroSubtrees.push(hashPair(below, below))
  }
  return zeroSubtrees[level] as Buffer
}

export const isPowerOfTwo = (n: number): boolean => Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0
export const log2 = (n: number): number => Math.round(Math.log2(n))
export function nextPowerOfTwo(n: number): number {
  let p = 1
  while (p < n) p *= 2
  return p
}

/**
 * Root of a merkle tree whose layer `level` (0 = leaves) is `hashes`, padded on the right to `width`
 * nodes (a power of two) with zero subtrees of that level.
 */
export function merkleRoot(hashes: readonly Buffer[], width: number, level = 0): Buffer {
  if (!isPowerOfTwo(width) || hashes.length > width) throw new RangeError('merkle width must cover the layer')
  if (hashes.length === 0) return zeroSubtree(level + log2(width))
  let layer = hashes
  let lvl = level
  for (let w = width; w > 1; w /= 2, lvl++) {
    const next: Buffer[] = []
    for (let i = 0; i < layer.length; i += 2) {
      next.push(hashPair(layer[i] as Buffer, layer[i + 1] ?? zeroSubtree(lvl)))
    }
    layer = next
  }
  return layer[0] as Buffer
}

export interface FileMerkle {
  /** BEP 52 `pieces root`; null for an empty file, which has none. */
  piecesRoot: Buffer | null
  /** The `piece layers` entry: one hash per piece, only for files larger than one piece. */
  pieceLayer: Buffer | null
}

/**
 * Reduces `count` node hashes stored back to back in `buf` (layer `level`, padded to `width` with
 * zero subtrees) to their root, in place: parent i overwrites bytes that children 2i and 2i+1 have
 * already been read from, so no per-node buffers are allocated.
 */
export function reduceInPlace(buf: Buffer, count: number, width: number, level = 0): Buffer {
  if (count === 0) return zeroSubtree(level + log2(width))
  let n = count
  let lvl = level
  for (let w = width; w > 1; w /= 2, lvl++) {
    if (n % 2 === 1) {
      zeroSubtree(lvl).copy(buf, n * SHA256_LENGTH)
      n++
    }
    for (let i = 0; i < n / 2; i++) {
      sha256(buf.subarray(i * 64, i * 64 + 64)).copy(buf, i * SHA256_LENGTH)
    }
    n /= 2
  }
  return Buffer.from(buf.subarray(0, SHA256_LENGTH))
}

/**
 * Streams one file's bytes into its BEP 52 merkle tree. Keeps only the leaf hashes of the current
 * piece and one hash per finished piece, so memory is bounded by the file's piece count.
 */
export class V2FileHasher {
  private readonly blocksPerPiece: number
  // One spare slot so reduceInPlace can pad an odd layer.
  private readonly leaves: Buffer
  private leafCount = 0
  // Piece hashes back to back: 32 bytes per piece, no per-piece objects.
  private pieces: Buffer = Buffer.alloc(0)
  private pieceCount = 0
  private readonly partial: Buffer = Buffer.alloc(BLOCK_SIZE)
  private partialLength = 0
  length = 0

  constructor(pieceLength: number) {
    this.blocksPerPiece = pieceLength / BLOCK_SIZE
    this.leaves = Buffer.alloc((this.blocksPerPiece + 1) * SHA256_LENGTH)
  }

  update(chunk: Uint8Array): void {
    this.length += chunk.byteLength
    let off = 0
    if (this.partialLength > 0) {
      const take = Math.min(BLOCK_SIZE - this.partialLength, chunk.byteLength)
      this.partial.set(chunk.subarray(0, take), this.partialLength)
      this.partialLength += take
      off = take
      if (this.partialLength < BLOCK_SIZE) return
      this.addLeaf(this.partial)
      this.partialLength = 0
    }
    for (; off + BLOCK_SIZE <= chunk.byteLength; off += BLOCK_SIZE) {
      this.addLeaf(chunk.subarray(off, off + BLOCK_SIZE))
    }
    if (off < chunk.byteLength) {
      this.partial.set(chunk.subarray(off), 0)
      this.partialLength = chunk.byteLength - off
    }
  }

  digest(): FileMerkle {
    if (this.length === 0) return { piecesRoot: null, pieceLayer: null }
    // BEP 52: the last block may be shorter than 16 KiB and is hashed as it is.
    if (this.partialLength > 0) this.addLeaf(this.partial.subarray(0, this.partialLength))
    this.partialLength = 0
    if (this.pieceCount === 0) {
      // Smaller than one piece: the leaves are padded to the next power of two, not to a piece.
      const root = reduceInPlace(this.leaves, this.leafCount, nextPowerOfTwo(this.leafCount))
      return { piecesRoot: root, pieceLayer: null }
    }
    if (this.leafCount > 0) this.endPiece()
    const layer = Buffer.from(this.pieces.subarray(0, this.pieceCount * SHA256_LENGTH))
    if (this.pieceCount === 1) return { piecesRoot: layer, pieceLayer: null }
    return { piecesRoot: layerRoot(layer, this.blocksPerPiece), pieceLayer: layer }
  }

  private addLeaf(block: Uint8Array): void {
    sha256(block).copy(this.leaves, this.leafCount * SHA256_LENGTH)
    if (++this.leafCount === this.blocksPerPiece) this.endPiece()
  }

  /** A short last piece is padded to a whole piece of leaves (BEP 52: zero hashes beyond the end). */
  private endPiece(): void {
    if ((this.pieceCount + 1) * SHA256_LENGTH > this.pieces.byteLength) {
      const grown = Buffer.alloc(Math.max(1024, this.pieces.byteLength * 2))
      this.pieces.copy(grown)
      this.pieces = grown
    }
    reduceInPlace(this.leaves, this.leafCount, this.blocksPerPiece).copy(
      this.pieces,
      this.pieceCount * SHA256_LENGTH,
    )
    this.pieceCount++
    this.leafCount = 0
  }
}

/** Root of a file from its piece layer (hashes back to back), padded with zero-piece subtrees (BEP 52). */
export function layerRoot(layer: Uint8Array, blocksPerPiece: number): Buffer {
  const count = layer.byteLength / SHA256_LENGTH
  const work = Buffer.alloc(layer.byteLength + SHA256_LENGTH)
  work.set(layer)
  return reduceInPlace(work, count, nextPowerOfTwo(count), log2(blocksPerPiece))
}

/** Root of a piece layer as found in `piece layers`, for checking it against a file's `pieces root`. */
export function rootFromPieceLayer(layer: Uint8Array, pieceLength: number): Buffer {
  if (layer.byteLength === 0 || layer.byteLength % SHA256_LENGTH !== 0)
    throw new RangeError('not a piece layer')
  return layerRoot(layer, pieceLength / BLOCK_SIZE)
}
