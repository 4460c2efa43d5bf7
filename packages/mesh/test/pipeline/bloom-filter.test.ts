import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BloomFilter } from '../../src/pipeline/bloom-filter.js'

const key = (i: number, salt = 'a'): Uint8Array => createHash('sha1').update(`${salt}${i}`).digest()

describe('BloomFilter', () => {
  it('sizes itself from expected items and false-positive rate', () => {
    const b = new BloomFilter({ expectedItems: 10_000, falsePositiveRate: 0.01, seed: 1 })
    // m = -n ln p / ln2^2 ≈ 95,851 bits, k ≈ 7
    expect(b.bitCount).toBeGreaterThanOrEqual(95_851)
    expect(b.bitCount).toBeLessThan(95_851 + 32)
    expect(b.hashCount).toBe(7)
    expect(b.byteLength).toBe(b.bitCount / 8)
  })

  it('has no false negatives', () => {
    const b = new BloomFilter({ expectedItems: 5_000, falsePositiveRate: 1e-3, seed: 7 })
    for (let i = 0; i < 5_000; i++) b.add(key(i))
    for (let i = 0; i < 5_000; i++) expect(b.has(key(i))).toBe(true)
    expect(b.count).toBe(5_000)
  })

  it('keeps the false-positive rate near its target at capacity', () => {
    const b = new BloomFilter({ expectedItems: 20_000, falsePositiveRate: 0.01, seed: 3 })
    for (let i = 0; i < 20_000; i++) b.add(key(i))
    let fp = 0
    const trials = 50_000
    for (let i = 0; i < trials; i++) if (b.has(key(i, 'other'))) fp++
    expect(fp / trials).toBeGreaterThan(0.004)
    expect(fp / trials).toBeLessThan(0.02)
    expect(b.estimatedFalsePositiveRate()).toBeGreaterThan(0.005)
    expect(b.estimatedFalsePositiveRate()).toBeLessThan(0.015)
    expect(b.fillRatio()).toBeGreaterThan(0.4)
    expect(b.fillRatio()).toBeLessThan(0.6)
  })

  it('works on keys of any length, and different seeds place bits differently', () => {
    const a = new BloomFilter({ expectedItems: 100, falsePositiveRate: 0.01, seed: 1 })
    const b = new BloomFilter({ expectedItems: 100, falsePositiveRate: 0.01, seed: 2 })
    for (const len of [0, 1, 2, 3, 5, 20, 32]) {
      const k = new Uint8Array(len).fill(len)
      a.add(k)
      expect(a.has(k)).toBe(true)
    }
    expect(b.has(new Uint8Array(20).fill(20))).toBe(false)
  })

  it('rejects nonsense sizing', () => {
    expect(() => new BloomFilter({ expectedItems: 0, falsePositiveRate: 0.1 })).toThrow(RangeError)
    expect(() => new BloomFilter({ expectedItems: 10, falsePositiveRate: 1 })).toThrow(RangeError)
  })
})
