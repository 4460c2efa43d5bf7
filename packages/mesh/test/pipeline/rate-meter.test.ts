import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { RateMeter } from '../../src/pipeline/rate-meter.js'

describe('RateMeter', () => {
  it('reports the mean rate over the last full window', async () => {
    const clock = new ManualClock()
    const m = new RateMeter(clock, 5)
    for (let s = 0; s < 5; s++) {
      m.mark(10)
      await clock.advance(1_000)
    }
    expect(m.perSecond()).toBe(10)
    m.mark(1_000) // the current second is not counted yet
    expect(m.perSecond()).toBe(10)
    await clock.advance(1_000)
    expect(m.perSecond()).toBe(208)
    await clock.advance(5_000)
    expect(m.perSecond()).toBe(0)
    expect(m.count).toBe(1_050)
  })
})
