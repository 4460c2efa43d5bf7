import { describe, expect, it } from 'vitest'
import { Heap } from '../../src/pipeline/heap.js'

describe('Heap', () => {
  it('pops in order after random pushes, pops and a rebuild', () => {
    const h = new Heap<number>((a, b) => a < b)
    let seed = 11
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 1000
    const model: number[] = []
    for (let i = 0; i < 2_000; i++) {
      if (rnd() < 700) {
        const x = rnd()
        h.push(x)
        model.push(x)
      } else {
        model.sort((a, b) => a - b)
        expect(h.pop()).toBe(model.shift())
      }
      expect(h.size).toBe(model.length)
    }
    h.rebuild(h.entries().filter((x) => x % 2 === 0))
    const even = model.filter((x) => x % 2 === 0).sort((a, b) => a - b)
    const out: number[] = []
    for (let x = h.pop(); x !== undefined; x = h.pop()) out.push(x)
    expect(out).toEqual(even)
    expect(h.peek()).toBeUndefined()
  })
})
