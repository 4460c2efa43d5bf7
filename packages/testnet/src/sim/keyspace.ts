// Global knowledge of the simulated keyspace: node ids sorted, so "the K nodes closest to a key"
// (what an announce reaches) and per-bucket contacts (what a joined node's routing table holds)
// are found by binary search instead of a scan of every node.

export class Keyspace {
  /** Node indexes sorted by id. */
  private readonly order: number[]
  /** The first 8 bytes of every id as two 32-bit words: XOR order is decided there nearly always. */
  private readonly hi: Uint32Array
  private readonly lo: Uint32Array

  constructor(private readonly ids: readonly Buffer[]) {
    this.order = ids.map((_, i) => i).sort((a, b) => Buffer.compare(ids[a]!, ids[b]!))
    this.hi = Uint32Array.from(ids, (id) => id.readUInt32BE(0))
    this.lo = Uint32Array.from(ids, (id) => id.readUInt32BE(4))
  }

  /**
   * The `k` node indexes closest to `target` by XOR. The XOR-closest nodes share the longest prefix
   * with the target, so they sit next to its position in id order; a window of 4k either side,
   * sorted by XOR distance, holds them unless a subtree boundary splits an unusually lopsided
   * region (then one of the k is a near neighbour instead: harmless for a simulation).
   */
  closest(target: Buffer, k: number): number[] {
    const pos = this.lowerBound(target)
    const from = Math.max(0, pos - 4 * k)
    const to = Math.min(this.order.length, pos + 4 * k)
    const th = target.readUInt32BE(0)
    const tl = target.readUInt32BE(4)
    const window = this.order.slice(from, to).map((i) => ({
      i,
      h: (this.hi[i]! ^ th) >>> 0,
      l: (this.lo[i]! ^ tl) >>> 0,
    }))
    window.sort((a, b) => a.h - b.h || a.l - b.l || compareXor(this.ids[a.i]!, this.ids[b.i]!, target))
    return window.slice(0, k).map((w) => w.i)
  }

  private lowerBound(target: Buffer): number {
    let lo = 0
    let hi = this.order.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (Buffer.compare(this.ids[this.order[mid]!]!, target) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** Negative when `a` is closer to `t` than `b`. */
export function compareXor(a: Buffer, b: Buffer, t: Buffer): number {
  for (let i = 0; i < t.length; i++) {
    const d = (a[i]! ^ t[i]!) - (b[i]! ^ t[i]!)
    if (d !== 0) return d
  }
  return 0
}

/** `id` with bit `bit` (0 = most significant) flipped and every lower bit drawn from `rand`. */
export function targetInBucket(id: Buffer, bit: number, rand: Buffer): Buffer {
  const t = Buffer.from(id)
  const byte = bit >> 3
  const mask = 0x80 >> (bit & 7)
  t[byte] = t[byte]! ^ mask
  const lowMask = mask - 1
  t[byte] = (t[byte]! & ~lowMask) | (rand[byte]! & lowMask)
  for (let i = byte + 1; i < t.length; i++) t[i] = rand[i]!
  return t
}

/** Index of the first bit (0 = most significant) where `a` and `b` differ; the bit count if equal. */
export function firstDifferingBit(a: Buffer, b: Buffer): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! ^ b[i]!
    if (x !== 0) return i * 8 + Math.clz32(x) - 24
  }
  return a.length * 8
}
