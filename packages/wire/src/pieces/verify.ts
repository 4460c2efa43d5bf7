// Piece verification: BEP 3 SHA-1 piece hashes, and BEP 52 merkle hashes (a file that fits in one
// piece is checked against its pieces root; a larger one against its `piece layers` entry).
import { createHash } from 'node:crypto'
import { PieceError } from './errors.js'
import { filesIn, pieceSize, type LayoutFile, type TorrentLayout } from './layout.js'

const BLOCK = 16384
const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}

/** Root over `leaves` hashes padded with zero hashes to `width` (a power of two) leaves. */
function root(leaves: Buffer[], width: number): Buffer {
  let layer = leaves
  let zero: Buffer = Buffer.alloc(32)
  for (let w = width; w > 1; w /= 2) {
    const next: Buffer[] = []
    for (let i = 0; i < w; i += 2) {
      if (i >= layer.length) break
      next.push(sha256(layer[i] as Buffer, layer[i + 1] ?? zero))
    }
    zero = sha256(zero, zero)
    layer = next
  }
  return layer[0] ?? zero
}

function blockHashes(data: Uint8Array): Buffer[] {
  const out: Buffer[] = []
  for (let o = 0; o < data.length; o += BLOCK)
    out.push(sha256(data.subarray(o, Math.min(data.length, o + BLOCK))))
  return out
}

const nextPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)))

/** Piece layers by lower-case hex pieces root (from a .torrent's `piece layers`). */
export type PieceLayers = ReadonlyMap<string, Uint8Array>

/** Throws unless every v2 file can be verified piece by piece (v1 hashes cover hybrids anyway). */
export function checkVerifiable(l: TorrentLayout, layers?: PieceLayers): void {
  if (l.v1Pieces) return
  for (const f of l.files) {
    if (f.pad || f.length <= l.pieceLength) continue
    const layer = layers?.get(Buffer.from(f.piecesRoot as Uint8Array).toString('hex'))
    if (!layer || layer.length !== Math.ceil(f.length / l.pieceLength) * 32)
      throw new PieceError(
        'ERR_BAD_INFO',
        'v2 file larger than a piece needs its piece layer (BEP 52 hash requests are not implemented)',
      )
  }
}

/** True when `data` (the whole piece, pads as zeros) is piece `index` of the torrent. */
export function verifyPiece(
  l: TorrentLayout,
  index: number,
  data: Uint8Array,
  layers?: PieceLayers,
): boolean {
  if (data.length !== pieceSize(l, index)) return false
  if (l.v1Pieces) {
    const want = l.v1Pieces.subarray(index * 20, index * 20 + 20)
    if (!createHash('sha1').update(data).digest().equals(want)) return false
  }
  if (!l.v2) return true
  const start = index * l.pieceLength
  for (const f of filesIn(l, start, start + data.length)) {
    if (f.pad || f.length === 0 || f.offset >= start + data.length || f.offset + f.length <= start) continue
    if (
      !verifyV2(
        l,
        f,
        index,
        data.subarray(f.offset - start, Math.min(data.length, f.offset + f.length - start)),
        layers,
      )
    )
      return false
  }
  return true
}

function verifyV2(
  l: TorrentLayout,
  f: LayoutFile,
  index: number,
  part: Uint8Array,
  layers?: PieceLayers,
): boolean {
  const want = f.piecesRoot
  if (!want) return false
  const leaves = blockHashes(part)
  if (f.length <= l.pieceLength) return root(leaves, nextPow2(leaves.length)).equals(want)
  const layer = layers?.get(Buffer.from(want).toString('hex'))
  if (!layer) return l.v1Pieces !== null // hybrid: the SHA-1 already verified it
  const k = index - f.offset / l.pieceLength
  return root(leaves, l.pieceLength / BLOCK).equals(layer.subarray(k * 32, k * 32 + 32))
}
