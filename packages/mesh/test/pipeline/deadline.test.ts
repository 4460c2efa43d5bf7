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

  it('follows the parent signal', async () => {
    const clock = new ManualClock()
    const parent = new AbortController()
    const p = withDeadline(
      clock,
      100,
      parent.signal,
      () => new Error('late'),
      () => new Promise<never>(() => undefined),
    )
    parent.abort(new Error('stop'))
    await expect(p).rejects.toThrow('stop')
    expect(clock.pending).toBe(0)
    parent.abort()
    await expect(
      withDeadline(
        clock,
        100,
        parent.signal,
        () => new Error('late'),
        async () => 1,
      ),
    ).rejects.toBeDefined()
  })
})
