import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { withDeadline } from '../../src/pipeline/deadline.js'

describe('withDeadline', () => {
  it('passes a result through and cancels its timer', async () => {
    const clock = new ManualClock()
    expect(
      await withDeadline(
        clock,
        100,
        undefined,
        () => new Error('late'),
        async () => 5,
      ),
    ).toBe(5)
    expect(clock.pending).toBe(0)
  })

  it('rejects at the deadline even when the work ignores its signal, and aborts that signal', async () => {
    const clock = new ManualClock()
    let seen: AbortSignal | undefined
    const p = withDeadline(
      clock,
      100,
      undefined,
      () => new Error('late'),
      (s) => {
        seen = s
        return new Promise<never>(() => undefined)
      },
    )
    const settled = p.catch((e: Error) => e.message)
    await clock.advance(100)
    expect(await settled).toBe('late')
    expect(seen?.aborted).toBe(true)
  })

  it('follows the parent signal, rejecting with its reason and aborting the work', async () => {
    const clock = new ManualClock()
    const parent = new AbortController()
    let seen: AbortSignal | undefined
    const p = withDeadline(
      clock,
      100,
      parent.signal,
      () => new Error('late'),
      (s) => {
        seen = s
        return new Promise<never>(() => undefined)
      },
    )
    const stop = new Error('stop')
    parent.abort(stop)
    await expect(p).rejects.toBe(stop)
    expect(seen?.aborted).toBe(true)
    expect(seen?.reason).toBe(stop)
    expect(clock.pending).toBe(0)
  })

  it('an already-aborted parent rejects with its reason without starting the work', async () => {
    const clock = new ManualClock()
    const parent = new AbortController()
    const stop = new Error('stopped before')
    parent.abort(stop)
    let started = false
    const p = withDeadline(
      clock,
      100,
      parent.signal,
      () => new Error('late'),
      async () => {
        started = true
        return 1
      },
    )
    await expect(p).rejects.toBe(stop)
    expect(started).toBe(false)
    expect(clock.pending).toBe(0)
  })
})
