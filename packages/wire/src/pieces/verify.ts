// Piece verification: BEP 3 SHA-1 piece hashes, and BEP 52 merkle hashes (a file that fits in one
// piece is checked against its pieces root; a larger one against its piece layer, which comes from
// the .torrent's `piece layers` or from peers by BEP 52 hash requests, checked against the root).
import { createHash } from 'node:crypto'
import { PieceError } from './errors.js'
import { filesIn, pieceSize, type LayoutFile, type TorrentLayout } from './layout.js'
import { blockHashes, HASH_LENGTH, log2, MERKLE_BLOCK, nextPow2, pieceRoot, subtreeRoot } from './merkle.js'

/** Piece layers by lower-case hex pieces root (from a .torrent's `piece layers`). */
export type PieceLayers = ReadonlyMap<string, Uint8Array>

export const rootHex = (f: LayoutFile): string => Buffer.from(f.piecesRoot as Uint8Array).toString('hex')

/** v2 files whose pieces need a piece layer to be verified: non-pad files larger than one piece. */
export const needsPieceLayer = (l: TorrentLayout, f: LayoutFile): boolean =>
  !f.pad && f.piecesRoot !== null && f.length > l.pieceLength

/** True when `layer` is the piece layer of `f`: one hash per piece, and they hash up to its pieces root. */
export function verifyPieceLayer(l: TorrentLayout, f: LayoutFile, layer: Uint8Array): boolean {
  const n = Math.ceil(f.length / l.pieceLength)
  if (!f.piecesRoot || layer.length !== n * HASH_LENGTH) return false
  const hashes: Buffer[] = []
  for (let o = 0; o < layer.length; o += HASH_LENGTH)
    hashes.push(Buffer.from(layer.subarray(o, o + HASH_LENGTH)))
  return subtreeRoot(hashes, log2(l.pieceLength / MERKLE_BLOCK), nextPow2(n)).equals(f.piecesRoot)
}

/**
 * Throws unless every v2 file can be verified piece by piece with the layers given (v1 hashes cover
 * hybrids anyway). downloadPieces no longer needs this: it fetches missing layers from peers.
 */
export function checkVerifiable(l: TorrentLayout, layers?: PieceLayers): void {
  if (l.v1Pieces) return
  for (const f of l.files) {
    if (!needsPieceLayer(l, f)) continue
    const layer = layers?.get(rootHex(f))
    if (!layer || !verifyPieceLayer(l, f, layer))
      throw new PieceError('ERR_BAD_INFO', `v2 file ${f.path.join('/')} has no valid piece layer`)
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
  if (f.length <= l.pieceLength) return pieceRoot(part, nextPow2(blockHashes(part).length)).equals(want)
  const layer = layers?.get(rootHex(f))
  if (!layer) return l.v1Pieces !== null // hybrid: the SHA-1 already verified it
  const k = index - f.offset / l.pieceLength
  return pieceRoot(part, l.pieceLength / MERKLE_BLOCK).equals(layer.subarray(k * 32, k * 32 + 32))
}
