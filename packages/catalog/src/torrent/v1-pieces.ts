import { createHash, type Hash } from 'node:crypto'

/**
 * BEP 3 `pieces`: SHA-1 of each piece of the concatenated payload, where pieces run across file
 * boundaries. BEP 47 pad files are fed as zeros.
 */
export class V1PieceHasher {
  private hash: Hash = createHash('sha1')
  private inPiece = 0
  private readonly digests: Buffer[] = []
  private zeros: Buffer | undefined

  constructor(private readonly pieceLength: number) {}

  update(chunk: Uint8Array): void {
    let off = 0
    while (off < chunk.byteLength) {
      const take = Math.min(this.pieceLength - this.inPiece, chunk.byteLength - off)
      this.hash.update(chunk.subarray(off, off + take))
      this.inPiece += take
      off += take
      if (this.inPiece === this.pieceLength) this.endPiece()
    }
  }

  /** Feeds `count` zero bytes (a pad file's content). */
  zeroFill(count: number): void {
    this.zeros ??= Buffer.alloc(Math.min(this.pieceLength, 1 << 20))
    for (let left = count; left > 0;) {
      const n = Math.min(left, this.zeros.byteLength)
      this.update(this.zeros.subarray(0, n))
      left -= n
    }
  }

  /** Concatenated piece hashes; the last piece may be short. */
  finish(): Buffer {
    if (this.inPiece > 0) this.endPiece()
    return Buffer.concat(this.digests)
  }

  private endPiece(): void {
    this.digests.push(this.hash.digest())
    this.hash = createHash('sha1')
    this.inPiece = 0
  }
}
