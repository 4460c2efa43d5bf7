import { randomBytes } from 'node:crypto'

export interface BloomFilterOptions {
  /** Items the filter is sized for; past this the false-positive rate climbs. */
  expectedItems: number
  /** Target false-positive rate at `expectedItems`, e.g. 1e-4. */
  falsePositiveRate: number
  /** Hash seed; random by default so that nobody can craft keys that collide in our filter. */
  seed?: number
}

/**
 * A classic Bloom filter over byte keys (infohashes). Sizing follows the textbook optimum:
 * m = −n·ln p / (ln 2)², k = (m/n)·ln 2. Bit positions use double hashing (Kirsch–Mitzenmacher)
 * from two seeded 32-bit murmur3 hashes.
 */
export class BloomFilter {
  readonly bitCount: number
  readonly hashCount: number
  readonly expectedItems: number
  private readonly bits: Uint32Array
  private readonly seed: number
  private added = 0
  private setBits = 0

  constructor(opts: BloomFilterOptions) {
    const n = opts.expectedItems
    const p = opts.falsePositiveRate
    if (!(n >= 1)) throw new RangeError('expectedItems must be ≥ 1')
    if (!(p > 0 && p < 1)) throw new RangeError('falsePositiveRate must be in (0, 1)')
    const m = Math.max(64, Math.ceil((-n * Math.log(p)) / Math.LN2 ** 2))
    this.bitCount = Math.ceil(m / 32) * 32
    this.hashCount = Math.max(1, Math.round((this.bitCount / n) * Math.LN2))
    this.expectedItems = n
    this.bits = new Uint32Array(this.bitCount / 32)
    this.seed = opts.seed ?? randomBytes(4).readUInt32LE(0)
  }

  /** Insertions so far (repeats included). */
  get count(): number {
    return this.added
  }

  /** Bytes of bit storage. */
  get byteLength(): number {
    return this.bits.byteLength
  }

  add(key: Uint8Array): void {
    const h1 = murmur3(key, this.seed)
    const h2 = murmur3(key, h1) | 1
    for (let i = 0; i < this.hashCount; i++) {
      const bit = (h1 + Math.imul(i, h2)) >>> 0
      const pos = bit % this.bitCount
      const word = pos >>> 5
      const mask = 1 << (pos & 31)
      const w = this.bits[word] as number
      if ((w & mask) === 0) {
        this.bits[word] = w | mask
        this.setBits += 1
      }
    }
    this.added += 1
  }

  /** False means certainly never added; true means probably added. */
  has(key: Uint8Array): boolean {
    const h1 = murmur3(key, this.seed)
    const h2 = murmur3(key, h1) | 1
    for (let i = 0; i < this.hashCount; i++) {
      const pos = ((h1 + Math.imul(i, h2)) >>> 0) % this.bitCount
      if (((this.bits[pos >>> 5] as number) & (1 << (pos & 31))) === 0) return false
    }
    return true
  }

  /** Share of bits set; the current false-positive rate is about fillRatio^k. */
  fillRatio(): number {
    return this.setBits / this.bitCount
  }

  estimatedFalsePositiveRate(): number {
    return this.fillRatio() ** this.hashCount
  }
}

/** MurmurHash3 x86 32-bit. */
function murmur3(key: Uint8Array, seed: number): number {
  let h = seed >>> 0
  const len = key.length
  const blocks = len & ~3
  for (let i = 0; i < blocks; i += 4) {
    let k =
      (key[i] as number) |
      ((key[i + 1] as number) << 8) |
      ((key[i + 2] as number) << 16) |
      ((key[i + 3] as number) << 24)
    k = Math.imul(k, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, 0x1b873593)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  let k = 0
  switch (len & 3) {
    case 3:
      k ^= (key[blocks + 2] as number) << 16
    // falls through
    case 2:
      k ^= (key[blocks + 1] as number) << 8
    // falls through
    case 1:
      k ^= key[blocks] as number
      k = Math.imul(k, 0xcc9e2d51)
      k = (k << 15) | (k >>> 17)
      k = Math.imul(k, 0x1b873593)
      h ^= k
  }
  h ^= len
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
