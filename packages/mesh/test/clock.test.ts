import { describe, expect, it } from 'vitest'
import { ManualClock, sleep, systemClock } from '../src/clock.js'
import { seededUniform } from '../src/random.js'

describe('ManualClock', () => {
  it('fires due timers in time order, including ones scheduled while advancing', async () => {
    const clock = new ManualClock(1_000)
    const log: string[] = []
    clock.setTimeout(() => log.push(`b@${clock.now()}`), 20)
    clock.setTimeout(() => {
      log.push(`a@${clock.now()}`)
      clock.setTimeout(() => log.push(`c@${clock.now()}`), 5)
    }, 10)
    const dead = clock.setTimeout(() => log.push('never'), 1)
    dead.cancel()
    await clock.advance(14)
    expect(log).toEqual(['a@1010'])
    await clock.advance(100)
    expect(log).toEqual(['a@1010', 'c@1015', 'b@1020'])
    expect(clock.now()).toBe(1_114)
    expect(clock.pending).toBe(0)
  })

  it('drives async code: sleep() resolves on virtual time and aborts cleanly', async () => {
    const clock = new ManualClock()
    let woke = -1
    void sleep(clock, 50).then(() => (woke = clock.now()))
    await clock.advance(49)
    expect(woke).toBe(-1)
    await clock.advance(1)
    expect(woke).toBe(50)
    const ac = new AbortController()
    const p = sleep(clock, 10, ac.signal)
    ac.abort(new Error('stop'))
    await expect(p).rejects.toThrow('stop')
    expect(clock.pending).toBe(0)
  })

  it('systemClock timers can be cancelled', async () => {
    let fired = false
    systemClock.setTimeout(() => (fired = true), 1).cancel()
    await new Promise((r) => setTimeout(r, 10))
    expect(fired).toBe(false)
  })
})

describe('seededUniform', () => {
  it('is reproducible and spreads over [0, 1)', () => {
    const a = seededUniform(42)
    const b = seededUniform(42)
    const xs = Array.from({ length: 1_000 }, () => a())
    expect(xs).toEqual(Array.from({ length: 1_000 }, () => b()))
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...xs)).toBeLessThan(1)
    expect(xs.filter((x) => x < 0.5).length).toBeGreaterThan(400)
  })
})
