// BEP 52 per-file merkle trees: SHA-256 over 16 KiB blocks, leaves past the end of the file are zero
// hashes, so a node past the end is the root of an all-zero subtree of its height. Heights count up
// from the leaves (0 = block layer); a file of B blocks has depth log2(nextPow2(B)) (the root).
// Also the `hashes` proof of BEP 52: requested hashes, then one uncle per proof layer up to the root.
import { createHash } from 'node:crypto'

/** BEP 52: merkle leaves are 16 KiB blocks. */
export const MERKLE_BLOCK = 16384
export const HASH_LENGTH = 32

export const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}

export const nextPow2 = (n: number): number => {
  let w = 1
  while (w < n) w *= 2
  return w
}
export const log2 = (pow2: number): number => Math.round(Math.log2(pow2))

const pads: Buffer[] = [Buffer.alloc(HASH_LENGTH)]
/** Root of an all-zero subtree of `height` (height 0: the zero leaf hash). */
export function padHash(height: number): Buffer {
  while (pads.length <= height) {
    const below = pads[pads.length - 1] as Buffer
    pads.push(sha256(below, below))
  }
  return pads[height] as Buffer
}

/** Tree depth of a file: the height of its pieces root. */
export const fileDepth = (length: number): number => log2(nextPow2(Math.ceil(length / MERKLE_BLOCK)))

/** Height of the piece layer in a file's tree, or of its root when the file fits in one piece. */
export const pieceHeight = (pieceLength: number, fileLength: number): number =>
  Math.min(log2(pieceLength / MERKLE_BLOCK), fileDepth(fileLength))

/** Leaf hashes of `data` (blocks of 16 KiB, the last one shorter). */
export function blockHashes(data: Uint8Array): Buffer[] {
  const out: Buffer[] = []
  for (let o = 0; o < data.length; o += MERKLE_BLOCK)
    out.push(sha256(data.subarray(o, Math.min(data.length, o + MERKLE_BLOCK))))
  return out
}

/**
 * The layers of a (sub)tree from `baseHeight` up to its root at `topHeight`. Only the nodes over real
 * data are stored; any other node is the pad hash of its height.
 */
export class MerkleLayers {
  private readonly layers: Buffer[][]

  constructor(
    base: readonly Buffer[],
    readonly baseHeight: number,
    readonly topHeight: number,
  ) {
    const layers: Buffer[][] = [[...base]]
    for (let h = baseHeight; h < topHeight; h++) {
      const below = layers[layers.length - 1] as Buffer[]
      const pad = padHash(h)
      const next: Buffer[] = []
      for (let i = 0; i < below.length; i += 2) next.push(sha256(below[i] as Buffer, below[i + 1] ?? pad))
      layers.push(next)
    }
    this.layers = layers
  }

  get root(): Buffer {
    return this.node(this.topHeight, 0)
  }

  /** Number of nodes at `height` in the padded tree. */
  width(height: number): number {
    return 2 ** (this.topHeight - height)
  }

  node(height: number, index: number): Buffer {
    return this.layers[height - this.baseHeight]?.[index] ?? padHash(height)
  }

  /** Bytes held (to bound caches). */
  get bytes(): number {
    return this.layers.reduce((n, l) => n + l.length * HASH_LENGTH, 0)
  }
}

/** Root over `leaves` at `height`, padded to `width` (a power of two) nodes. */
export const subtreeRoot = (leaves: readonly Buffer[], height: number, width: number): Buffer =>
  new MerkleLayers(leaves, height, height + log2(width)).root

/** Hash of one piece (or of a file within one piece): its blocks padded to `width` leaves. */
export const pieceRoot = (data: Uint8Array, width: number): Buffer => subtreeRoot(blockHashes(data), 0, width)

/**
 * BEP 52 uncle count of a `hashes` message: proof layer j (1-based above the base layer) holds the
 * sibling of the requested range's ancestor at height base + j; the first log2(length) - 1 layers
 * need none (the range covers them), but still count towards `proofLayers`.
 */
export const uncleCount = (length: number, proofLayers: number): number =>
  Math.max(0, proofLayers - log2(nextPow2(length)) + 1)

/** Uncle hashes proving the range [index, index + length) at `base`, read from `node(height, i)`. */
export function uncles(
  node: (height: number, index: number) => Buffer,
  base: number,
  index: number,
  length: number,
  proofLayers: number,
): Buffer[] {
  const out: Buffer[] = []
  // Division, not >>: indexes of very large files' leaf layers pass 2^31.
  for (let j = log2(nextPow2(length)); j <= proofLayers; j++) {
    const a = Math.floor(index / 2 ** j)
    out.push(node(base + j, a % 2 === 0 ? a + 1 : a - 1))
  }
  return out
}

/**
 * Checks a `hashes` answer: `hashes` = `length` base-layer hashes then the uncles, and the proof must
 * reach `root` at `depth` (so `proofLayers` must be depth - base - 1). `length` must be a power of two
 * and `index` a multiple of it, as we only ask for such ranges.
 */
export function verifyHashes(
  root: Uint8Array,
  depth: number,
  base: number,
  index: number,
  length: number,
  proofLayers: number,
  hashes: readonly Buffer[],
): boolean {
  if (length < 1 || nextPow2(length) !== length || index % length !== 0) return false
  if (base + proofLayers + 1 !== depth || hashes.length !== length + uncleCount(length, proofLayers))
    return false
  let h = base + log2(length)
  let node = subtreeRoot(hashes.slice(0, length), base, length)
  let i = index / length
  for (const uncle of hashes.slice(length)) {
    node = i % 2 === 0 ? sha256(node, uncle) : sha256(uncle, node)
    i = Math.floor(i / 2)
    h++
  }
  return h === depth && node.equals(root)
}
