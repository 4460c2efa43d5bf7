import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { FailureCache } from '../../src/pipeline/failure-cache.js'

const make = (clock: ManualClock, maxEntries = 100) =>
  new FailureCache({ clock, maxEntries, baseTtlMs: 1_000, maxTtlMs: 8_000 })

describe('FailureCache', () => {
  it('blocks a failed key until its time runs out', async () => {
    const clock = new ManualClock()
    const fc = make(clock)
    expect(fc.isBlocked('a')).toBe(false)
    fc.record('a', 'timeout')
    expect(fc.isBlocked('a')).toBe(true)
    expect(fc.get('a')).toMatchObject({ failures: 1, lastReason: 'timeout', until: 1_000 })
    await clock.advance(999)
    expect(fc.isBlocked('a')).toBe(true)
    await clock.advance(1)
    expect(fc.isBlocked('a')).toBe(false)
    expect(fc.counters()).toMatchObject({ recorded: 1, hits: 2, size: 1 })
  })

  it('doubles the block per failure up to the cap, remembering failures past expiry', async () => {
    const clock = new ManualClock()
    const fc = make(clock)
    const ttls: number[] = []
    for (let i = 0; i < 6; i++) {
      const e = fc.record('x', 'no-peers')
      ttls.push(e.until - clock.now())
      await clock.advance(e.until - clock.now())
      expect(fc.isBlocked('x')).toBe(false)
    }
    expect(ttls).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000])
    expect(fc.record('x', 'timeout').failures).toBe(7)
  })

  it('is bounded: the least recently failed key is forgotten first', () => {
    const clock = new ManualClock()
    const fc = make(clock, 3)
    for (const k of ['a', 'b', 'c']) fc.record(k, 'r')
    fc.record('a', 'r') // a becomes most recent
    fc.record('d', 'r')
    expect(fc.isBlocked('b')).toBe(false)
    expect(['a', 'c', 'd'].every((k) => fc.isBlocked(k))).toBe(true)
    expect(fc.counters()).toMatchObject({ size: 3, evicted: 1 })
    for (let i = 0; i < 10_000; i++) fc.record(`k${i}`, 'r')
    expect(fc.counters().size).toBe(3)
  })

  it('delete() unblocks a key at once', () => {
    const fc = make(new ManualClock())
    fc.record('a', 'r')
    fc.delete('a')
    expect(fc.isBlocked('a')).toBe(false)
  })
})
