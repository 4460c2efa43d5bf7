// VirtualClock from the package entry: SimWireNetwork (exported) takes one in its options, so a
// user building a simulation needs it too. It runs an hour of timers in (due time, creation) order
// without waiting for the wall clock.
import { seededRandom } from '@bbmesh/dht'
import { describe, expect, it } from 'vitest'
import { SimWireNetwork, VirtualClock } from '../src/index.js'

describe('VirtualClock (public API)', () => {
  it('drives timers in virtual time and is the clock SimWireNetwork takes', async () => {
    const clock = new VirtualClock()
    const order: string[] = []
    clock.setTimeout(() => order.push('2 s'), 2000)
    clock.setTimeout(() => order.push('1 s'), 1000)
    clock.setTimeout(() => order.push('1 s, later'), 1000)
    clock.setTimeout(() => order.push('cancelled'), 1500).cancel()
    const started = Date.now()
    const hour = 3_600_000
    const at = await clock.drive(new Promise<number>((r) => clock.setTimeout(() => r(clock.now()), hour)))
    expect(at).toBe(hour)
    expect(order).toEqual(['1 s', '1 s, later', '2 s'])
    expect(clock.fired).toBe(4)
    expect(clock.pending).toBe(0)
    expect(Date.now() - started).toBeLessThan(5000)

    const wires = new SimWireNetwork({ clock, random: seededRandom(1), latencyMs: 10, failureRate: 0 })
    wires.close()
  })
})
