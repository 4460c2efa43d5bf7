import { describe, expect, it } from 'vitest'
import { estimateFromSets, estimatePopulation, seededUniform, type Random } from '../../src/index.js'

/** K members each see every one of N items independently with that item's probability. */
function survey(random: Random, n: number, k: number, p: (i: number) => number): Set<string>[] {
  const sets = Array.from({ length: k }, () => new Set<string>())
  for (let i = 0; i < n; i++) for (const s of sets) if (random() < p(i)) s.add(`ih${i}`)
  return sets
}

describe('estimatePopulation', () => {
  it('recovers the population within 10% when members sample alike (Chapman at K=2, Chao2 above)', () => {
    const random = seededUniform(7)
    for (const n of [2_000, 10_000])
      for (const k of [2, 4, 8])
        for (const p of [0.2, 0.5]) {
          const e = estimateFromSets(survey(random, n, k, () => p))!
          expect(e.method).toBe(k === 2 ? 'chapman' : 'chao2')
          expect(Math.abs(e.estimate - n) / n, `N=${n} K=${k} p=${p}: ${e.estimate}`).toBeLessThan(0.1)
          expect(e.coverage).toBeCloseTo(e.observed / e.estimate, 12)
        }
  })

  it('stays a lower bound, yet above what was seen, when some items are much easier to see', () => {
    const random = seededUniform(11)
    const n = 10_000
    // A few popular infohashes on many nodes, a long tail of rare ones.
    const sets = survey(random, n, 8, (i) => (i % 10 === 0 ? 0.8 : 0.05 + (i % 7) * 0.02))
    const e = estimateFromSets(sets)!
    expect(e.estimate).toBeGreaterThan(e.observed)
    expect(e.estimate).toBeLessThanOrEqual(n * 1.05)
    // The estimate closes most of the gap between what was seen and the truth.
    expect((e.estimate - e.observed) / (n - e.observed)).toBeGreaterThan(0.5)
  })

  it('reports full coverage when every member saw everything', () => {
    const all = new Set(Array.from({ length: 500 }, (_, i) => `ih${i}`))
    for (const k of [2, 3, 6]) {
      const e = estimateFromSets(Array.from({ length: k }, () => all))!
      expect(e.estimate).toBe(500)
      expect(e.coverage).toBe(1)
    }
  })

  it('is undefined with fewer than two members with a sample, and rejects impossible incidences', () => {
    expect(estimateFromSets([new Set(['a']), new Set()])).toBeUndefined()
    expect(estimatePopulation([], 3)).toBeUndefined()
    expect(estimatePopulation([1, 2], 1)).toBeUndefined()
    expect(() => estimatePopulation([4], 3)).toThrow(RangeError)
    expect(() => estimatePopulation([0], 3)).toThrow(RangeError)
  })
})
