import { open } from 'node:fs/promises'
import { BLOCK_SIZE, SHA1_LENGTH, SHA256_LENGTH } from '../constants.js'
import { CatalogError } from '../errors.js'
import { nextPowerOfTwo, reduceInPlace, sha1, sha256 } from './merkle.js'

/** A run of whole pieces of one file on disk, hashed independently of the rest (files are piece-aligned). */
export interface PieceTask {
  path: Uint8Array
  length: number
  firstPiece: number
  pieceCount: number
  /** The file's last piece is followed by a BEP 47 pad: hash it zero-filled to a whole piece. */
  padLast: boolean
}

export interface PieceTaskResult {
  /** One SHA-256 subtree root per piece; for a file of at most one piece, the file's pieces root. */
  roots: Uint8Array
  /** One SHA-1 per piece, when v1 hashes are wanted. */
  v1: Uint8Array | null
}

export async function hashPieceTask(
  task: PieceTask,
  pieceLength: number,
  wantV1: boolean,
  wantV2: boolean,
): Promise<PieceTaskResult> {
  const bpp = pieceLength / BLOCK_SIZE
  const roots = Buffer.alloc(wantV2 ? task.pieceCount * SHA256_LENGTH : 0)
  const v1 = wantV1 ? Buffer.alloc(task.pieceCount * SHA1_LENGTH) : null
  const piece = Buffer.alloc(pieceLength)
  const leaves = Buffer.alloc((bpp + 1) * SHA256_LENGTH)
  const changed = (): CatalogError =>
    new CatalogError(
      'INPUT_CHANGED',
      `${Buffer.from(task.path).toString()} changed while it was being hashed`,
    )
  const fh = await open(Buffer.from(task.path), 'r')
  try {
    if ((await fh.stat()).size !== task.length) throw changed()
    for (let p = 0; p < task.pieceCount; p++) {
      const start = (task.firstPiece + p) * pieceLength
      const size = Math.min(pieceLength, task.length - start)
      for (let got = 0; got < size;) {
        const { bytesRead } = await fh.read(piece, got, size - got, start + got)
        if (bytesRead === 0) throw changed()
        got += bytesRead
      }
      if (wantV2) {
        let count = 0
        for (let off = 0; off < size; off += BLOCK_SIZE, count++) {
          sha256(piece.subarray(off, Math.min(size, off + BLOCK_SIZE))).copy(leaves, count * SHA256_LENGTH)
        }
        // BEP 52: a file of at most one piece pads its leaves to a power of two, others to whole pieces.
        const width = task.length <= pieceLength ? nextPowerOfTwo(count) : bpp
        reduceInPlace(leaves, count, width).copy(roots, p * SHA256_LENGTH)
      }
      if (v1) {
        const last = start + size === task.length
        const hashed = last && task.padLast ? piece.fill(0, size) : piece.subarray(0, size)
        sha1(hashed).copy(v1, p * SHA1_LENGTH)
      }
    }
  } finally {
    await fh.close()
  }
  return { roots: new Uint8Array(roots), v1: v1 ? new Uint8Array(v1) : null }
}
