// Encoded catalog lines packed into large buffers in arrival order, with their keys: far smaller than
// the entry objects or a JS string per line, and no single string ever holds the whole library (V8
// caps a string near 512 MiB, about 650k catalog lines).

/** Lines are packed into chunks of this size; a longer line gets a chunk of its own. */
const CHUNK_BYTES = 16 * 1024 * 1024

export class LineArena {
  readonly keys: string[] = []
  private readonly chunks: Buffer[] = []
  private used = 0
  // Where line i lives: chunk index, byte offset, byte length.
  private readonly chunkOf: number[] = []
  private readonly offsetOf: number[] = []
  private readonly lengthOf: number[] = []

  add(key: string, line: string): void {
    const len = Buffer.byteLength(line, 'utf8')
    let chunk = this.chunks.at(-1)
    if (!chunk || this.used + len > chunk.length) {
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, len))
      this.chunks.push(chunk)
      this.used = 0
    }
    chunk.write(line, this.used, len, 'utf8')
    this.keys.push(key)
    this.chunkOf.push(this.chunks.length - 1)
    this.offsetOf.push(this.used)
    this.lengthOf.push(len)
    this.used += len
  }

  /** Line indices in ascending key order (keys compared as strings, as the format sorts them). */
  sortedOrder(): Uint32Array {
    const keys = this.keys
    const order = new Uint32Array(keys.length)
    for (let i = 0; i < order.length; i++) order[i] = i
    return order.sort((a, b) => {
      const ka = keys[a] as string
      const kb = keys[b] as string
      return ka < kb ? -1 : ka > kb ? 1 : 0
    })
  }

  /** The lines order[from..to) concatenated into one exact-size buffer. */
  join(order: Uint32Array, from: number, to: number): Uint8Array {
    let total = 0
    for (let i = from; i < to; i++) total += this.lengthOf[order[i] as number] as number
    const out = Buffer.allocUnsafe(total)
    let at = 0
    for (let i = from; i < to; i++) {
      const n = order[i] as number
      const off = this.offsetOf[n] as number
      const len = this.lengthOf[n] as number
      ;(this.chunks[this.chunkOf[n] as number] as Buffer).copy(out, at, off, off + len)
      at += len
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  }
}
