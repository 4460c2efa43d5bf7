// Seeded pseudo-random source (mulberry32) so simulations replay exactly.

export interface RandomSource {
  /** Uniform float in [0, 1). */
  next(): number
  /** `n` random bytes. */
  bytes(n: number): Buffer
}

export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    bytes(n) {
      const b = Buffer.allocUnsafe(n)
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256)
      return b
    },
  }
}
