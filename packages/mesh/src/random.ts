/** A uniform random number in [0, 1). Injected so runs can be seeded and reproduced. */
export type Random = () => number

/**
 * A small seeded generator (mulberry32) of uniform numbers in [0, 1): good spread, not for
 * cryptography. (@bbmesh/dht's `seededRandom` is another thing: a source of bytes and numbers.)
 */
export function seededUniform(seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `n` bytes drawn from `random` (for lookup targets, not for keys). */
export function randomBytes(random: Random, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256)
  return out
}
