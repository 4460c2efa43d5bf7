import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { merkleRoot, rootFromPieceLayer, V2FileHasher, zeroSubtree } from '../src/index.js'
import { content } from './fixture-trees.js'

const H = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}
const Z = Buffer.alloc(32)
const B = 16384

describe('BEP 52 merkle trees, computed by hand', () => {
  it('zero subtrees are hashes of zero leaves, not of zero data', () => {
    expect(zeroSubtree(0).equals(Z)).toBe(true)
    expect(zeroSubtree(1).equals(H(Z, Z))).toBe(true)
    expect(zeroSubtree(2).equals(H(H(Z, Z), H(Z, Z)))).toBe(true)
  })

  it('a three-block file pads its leaves to four with a zero hash', () => {
    const data = content('three', 2 * B + 100)
    const [l0, l1, l2] = [H(data.subarray(0, B)), H(data.subarray(B, 2 * B)), H(data.subarray(2 * B))]
    const h = new V2FileHasher(4 * B)
    for (let off = 0; off < data.length; off += 5000) h.update(data.subarray(off, off + 5000)) // odd chunking
    const { piecesRoot, pieceLayer } = h.digest()
    expect(piecesRoot!.equals(H(H(l0, l1), H(l2, Z)))).toBe(true)
    expect(pieceLayer).toBeNull()
  })

  it('a file of three 32 KiB pieces pads the last piece to whole leaves and the layer with a zero piece', () => {
    const data = content('pieces', 2 * 2 * B + B + 7) // pieces: [2 leaves] [2 leaves] [2 leaves, last short]
    const leaves = [0, 1, 2, 3, 4, 5].map((i) =>
      i * B < data.length ? H(data.subarray(i * B, (i + 1) * B)) : Z,
    )
    const p = [H(leaves[0]!, leaves[1]!), H(leaves[2]!, leaves[3]!), H(leaves[4]!, leaves[5]!)]
    const expectedRoot = H(H(p[0]!, p[1]!), H(p[2]!, H(Z, Z)))
    const h = new V2FileHasher(2 * B)
    h.update(data)
    const { piecesRoot, pieceLayer } = h.digest()
    expect(piecesRoot!.equals(expectedRoot)).toBe(true)
    expect(pieceLayer!.equals(Buffer.concat(p))).toBe(true)
    expect(rootFromPieceLayer(pieceLayer!, 2 * B).equals(expectedRoot)).toBe(true)
    expect(merkleRoot(p, 4, 1).equals(expectedRoot)).toBe(true)
  })

  it('an empty file has no root', () => {
    expect(new V2FileHasher(B).digest()).toEqual({ piecesRoot: null, pieceLayer: null })
  })
})
