import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { backoffDelay, retry } from '../../src/pipeline/backoff.js'
import { seededUniform } from '../../src/random.js'

const opts = { baseMs: 100, maxMs: 5_000 }

describe('backoffDelay', () => {
  it('grows exponentially up to the cap without jitter', () => {
    const d = [0, 1, 2, 3, 6, 10].map((a) => backoffDelay(a, { ...opts, jitter: 'none' }, () => 0.5))
    expect(d).toEqual([100, 200, 400, 800, 5_000, 5_000])
  })

  it('full jitter spreads over [0, d) and equal jitter over [d/2, d)', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(0)
    expect(backoffDelay(3, opts, () => 0.999)).toBe(799)
    expect(backoffDelay(3, { ...opts, jitter: 'equal' }, () => 0)).toBe(400)
    expect(backoffDelay(3, { ...opts, jitter: 'equal', factor: 3 }, () => 0.5)).toBe(2_025)
    const rnd = seededUniform(1)
    const draws = Array.from({ length: 200 }, () => backoffDelay(2, opts, rnd))
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...draws)).toBeLessThan(400)
    expect(new Set(draws).size).toBeGreaterThan(50)
  })
})

describe('retry', () => {
  it('retries with backoff on the injected clock and returns the first success', async () => {
    const clock = new ManualClock()
    const calls: number[] = []
    const delays: number[] = []
    const p = retry(
      async (attempt) => {
        calls.push(clock.now())
        if (attempt < 2) throw new Error(`fail ${attempt}`)
        return 'ok'
      },
      {
        attempts: 5,
        backoff: { ...opts, jitter: 'none' },
        clock,
        random: () => 0,
        onRetry: (_e, _a, d) => delays.push(d),
      },
    )
    await clock.advance(1_000)
    expect(await p).toBe('ok')
    expect(calls).toEqual([0, 100, 300])
    expect(delays).toEqual([100, 200])
  })

  it('throws the last error when attempts run out', async () => {
    const clock = new ManualClock()
    let n = 0
    const p = retry(
      async () => {
        n++
        throw new Error(`e${n}`)
      },
      { attempts: 3, backoff: { ...opts, jitter: 'none' }, clock, random: Math.random },
    )
    const settled = p.catch((e: Error) => e.message)
    await clock.advance(10_000)
    expect(await settled).toBe('e3')
    expect(n).toBe(3)
  })

  it('stops at once on an error shouldRetry rejects', async () => {
    const clock = new ManualClock()
    let n = 0
    const p = retry(
      async () => {
        n++
        throw new Error('fatal')
      },
      { attempts: 5, backoff: opts, clock, random: Math.random, shouldRetry: () => false },
    )
    await expect(p).rejects.toThrow('fatal')
    expect(n).toBe(1)
  })

  it('an abort ends the wait between tries', async () => {
    const clock = new ManualClock()
    const ac = new AbortController()
    const p = retry(
      async () => {
        throw new Error('x')
      },
      { attempts: 5, backoff: { ...opts, jitter: 'none' }, clock, random: Math.random, signal: ac.signal },
    )
    const settled = p.catch((e: unknown) => e)
    await clock.advance(10)
    ac.abort(new Error('stopped'))
    expect(((await settled) as Error).message).toBe('stopped')
    expect(clock.pending).toBe(0)
  })
})
