import { describe, expect, it } from 'vitest'
import { ClosedError, LimiterFullError } from '../../src/errors.js'
import { ConcurrencyLimiter } from '../../src/pipeline/concurrency-limiter.js'

const tick = () => new Promise<void>((r) => setImmediate(r))

describe('ConcurrencyLimiter', () => {
  it('enforces the global cap', async () => {
    const lim = new ConcurrencyLimiter({ global: 2, perKey: 10 })
    const r1 = await lim.acquire('a')
    await lim.acquire('b')
    let third = false
    const p = lim.acquire('c').then((r) => {
      third = true
      return r
    })
    await tick()
    expect(third).toBe(false)
    expect(lim.counters()).toMatchObject({ active: 2, waiting: 1 })
    r1()
    r1() // releasing twice is harmless
    await p
    expect(third).toBe(true)
    expect(lim.counters()).toMatchObject({ active: 2, waiting: 0, granted: 3, peakActive: 2 })
  })

  it('enforces the per-key cap without blocking other keys', async () => {
    const lim = new ConcurrencyLimiter({ global: 3, perKey: 1 })
    const ra = await lim.acquire('peer-a')
    const order: string[] = []
    const a2 = lim.acquire('peer-a').then((r) => (order.push('a2'), r))
    const b1 = lim.acquire('peer-b').then((r) => (order.push('b1'), r))
    await b1
    await tick()
    expect(order).toEqual(['b1'])
    expect(lim.tryAcquire('peer-a')).toBeUndefined()
    expect(lim.activeFor('peer-a')).toBe(1)
    ra()
    await a2
    expect(order).toEqual(['b1', 'a2'])
  })

  it('run() holds a slot only while the work runs, even when it throws', async () => {
    const lim = new ConcurrencyLimiter({ global: 1, perKey: 1 })
    await expect(lim.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await lim.run('k', async () => lim.counters().active)).toBe(1)
    expect(lim.counters().active).toBe(0)
  })

  it('rejects when too many callers wait', async () => {
    const lim = new ConcurrencyLimiter({ global: 1, perKey: 1, maxWaiting: 1 })
    await lim.acquire('a')
    void lim.acquire('a').catch(() => undefined)
    await expect(lim.acquire('b')).rejects.toBeInstanceOf(LimiterFullError)
    expect(lim.counters().rejected).toBe(1)
    lim.close()
  })

  it('an aborted waiter leaves the queue', async () => {
    const lim = new ConcurrencyLimiter({ global: 1, perKey: 1 })
    const r = await lim.acquire('a')
    const ac = new AbortController()
    const p = lim.acquire('b', ac.signal)
    ac.abort(new Error('gone'))
    await expect(p).rejects.toThrow('gone')
    expect(lim.counters()).toMatchObject({ waiting: 0, aborted: 1 })
    r()
    expect(lim.counters().active).toBe(0)
  })

  it('close() fails waiters and refuses new callers', async () => {
    const lim = new ConcurrencyLimiter({ global: 1, perKey: 1 })
    const r = await lim.acquire('a')
    const p = lim.acquire('b')
    lim.close()
    await expect(p).rejects.toBeInstanceOf(ClosedError)
    await expect(lim.acquire('c')).rejects.toBeInstanceOf(ClosedError)
    r()
    expect(lim.counters().active).toBe(0)
  })
})
