// Reading a requested block of a seeded piece (seed-connection.ts).
import { pieceSize } from './layout.js'
import type { PieceStorage } from './storage.js'

/**
 * A block of a piece. libtorrent treats a v2-only torrent's last file as padded to a whole piece (as
 * it pads every other file) and asks for the full last block, so for v2-only torrents the bytes past
 * the end of the last piece read as zeros up to the piece length.
 */
export async function readBlock(
  storage: PieceStorage,
  index: number,
  begin: number,
  length: number,
): Promise<Uint8Array> {
  const l = storage.layout
  const size = pieceSize(l, index)
  if (
    !l.v2 ||
    l.v1Pieces ||
    index !== l.pieceCount - 1 ||
    begin + length <= size ||
    begin + length > l.pieceLength
  )
    return storage.read(index, begin, length)
  const out = new Uint8Array(length)
  if (begin < size) out.set(await storage.read(index, begin, size - begin))
  return out
}
