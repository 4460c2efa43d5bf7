// The dialer on a virtual clock with a scripted `dial`: backoffs after a failed gate and after an
// unreachable peer, the per-minute cap and its deferred retry, the parallel cap, preferred candidates,
// the queue bound and skip().
import type { PeerAddress } from '@bbmesh/wire'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { Dialer, type DialerOptions, type DialOutcome } from '../../src/membership/dialer.js'

const addr = (port: number): PeerAddress => ({ host: '127.0.0.1', port })

/** A scripted collaborator: records every dial; each resolves as `outcome` says, or when released. */
class Script {
  readonly dialled: number[] = []
  private readonly pending = new Map<number, (o: DialOutcome) => void>()
  outcome: ((port: number) => DialOutcome) | undefined = () => 'member'

  readonly dial = (a: PeerAddress): Promise<DialOutcome> => {
    this.dialled.push(a.port)
    let o: DialOutcome | undefined
    try {
      o = this.outcome?.(a.port)
    } catch (err) {
      return Promise.reject(err as Error)
    }
    if (o !== undefined) return Promise.resolve(o)
    return new Promise((resolve) => this.pending.set(a.port, resolve))
  }

  /** Settles a held dial. */
  release(port: number, o: DialOutcome = 'member'): void {
    const r = this.pending.get(port)
    if (!r) throw new Error(`no dial in flight to ${port}`)
    this.pending.delete(port)
    r(o)
  }

  get inFlight(): number[] {
    return [...this.pending.keys()]
  }
}

function setup(opts: Partial<DialerOptions> = {}) {
  const clock = new ManualClock(1_000_000)
  const script = new Script()
  const dialer = new Dialer({
    clock,
    dial: script.dial,
    wantsMore: () => true,
    skip: () => false,
    ...opts,
  })
  return { clock, script, dialer }
}

/** Lets the dial promises and the pump after them run (no virtual time passes). */
const settle = (clock: ManualClock): Promise<void> => clock.advance(0)

describe('Dialer', () => {
  it('does not redial a candidate that failed the gate until gateBackoffMs has passed', async () => {
    const { clock, script, dialer } = setup({ gateBackoffMs: 600_000 })
    script.outcome = () => 'gate-failed'
    dialer.offer([addr(1)])
    await settle(clock)
    expect(script.dialled).toEqual([1])
    expect(dialer.counters.gateFailures).toBe(1)
    expect(dialer.isBackingOff(addr(1))).toBe(true)
    await clock.advance(600_000 - 1)
    dialer.offer([addr(1)], true)
    await settle(clock)
    expect(script.dialled).toEqual([1])
    expect(dialer.counters.backedOff).toBe(1)
    await clock.advance(1)
    expect(dialer.isBackingOff(addr(1))).toBe(false)
    script.outcome = () => 'member'
    dialer.offer([addr(1)])
    await settle(clock)
    expect(script.dialled).toEqual([1, 1])
    expect(dialer.counters.members).toBe(1)
  })

  it('backs off an unreachable candidate for a doubling time, capped at gateBackoffMs', async () => {
    const { clock, script, dialer } = setup({ unreachableBackoffMs: 10_000, gateBackoffMs: 35_000 })
    script.outcome = () => 'unreachable'
    const dialsAfter = async (ms: number): Promise<number> => {
      await clock.advance(ms)
      dialer.offer([addr(2)])
      await settle(clock)
      return script.dialled.length
    }
    expect(await dialsAfter(0)).toBe(1) // backoff 10 s
    expect(await dialsAfter(10_000 - 1)).toBe(1)
    expect(await dialsAfter(1)).toBe(2) // backoff 20 s
    expect(await dialsAfter(20_000 - 1)).toBe(2)
    expect(await dialsAfter(1)).toBe(3) // 40 s, capped at 35 s
    expect(await dialsAfter(35_000 - 1)).toBe(3)
    expect(await dialsAfter(1)).toBe(4)
    expect(dialer.counters.unreachable).toBe(4)
    expect(dialer.counters.backedOff).toBe(3)
    // A dial that rejects counts as unreachable too, and backs off the same way.
    script.outcome = () => {
      throw new Error('ECONNREFUSED')
    }
    dialer.offer([addr(3)])
    await settle(clock)
    expect(dialer.counters.unreachable).toBe(5)
    dialer.offer([addr(3)])
    await settle(clock)
    expect(dialer.counters.backedOff).toBe(4)
    // Success clears the history: the next failure starts from the base again.
    script.outcome = () => 'member'
    expect(await dialsAfter(35_000)).toBe(6)
    script.outcome = () => 'unreachable'
    expect(await dialsAfter(0)).toBe(7)
    expect(await dialsAfter(10_000)).toBe(8)
  })

  it('caps dials per minute and retries the deferred ones when the minute has passed', async () => {
    const { clock, script, dialer } = setup({ dialsPerMinute: 3 })
    dialer.offer([1, 2, 3, 4, 5].map(addr))
    await settle(clock)
    expect(script.dialled).toEqual([1, 2, 3])
    expect(dialer.counters.rateLimited).toBeGreaterThanOrEqual(1)
    await clock.advance(30_000)
    dialer.pump()
    await settle(clock)
    expect(script.dialled).toEqual([1, 2, 3])
    // The retry timer fires when the first dial is a minute old, without anyone calling pump().
    await clock.advance(30_000)
    expect(script.dialled).toEqual([1, 2, 3, 4, 5])
    expect(clock.pending).toBe(0)
  })

  it('keeps a preferred candidate deferred by the cap ahead of the strangers queued behind it', async () => {
    const { clock, script, dialer } = setup({ dialsPerMinute: 1 })
    dialer.offer([addr(1)])
    // A known member, then a swarm full of strangers, all while the minute's one dial is spent.
    dialer.offer([addr(9)], true)
    dialer.offer([2, 3, 4].map(addr))
    await settle(clock)
    expect(script.dialled).toEqual([1])
    await clock.advance(60_000)
    expect(script.dialled).toEqual([1, 9])
  })

  it('spreads a per-minute window across dials made at different times', async () => {
    const { clock, script, dialer } = setup({ dialsPerMinute: 2 })
    dialer.offer([addr(1)])
    await clock.advance(40_000)
    dialer.offer([2, 3].map(addr))
    await settle(clock)
    expect(script.dialled).toEqual([1, 2])
    // Port 1's dial leaves the window 60 s after it was made: 20 s from now, not 60.
    await clock.advance(20_000 - 1)
    expect(script.dialled).toEqual([1, 2])
    await clock.advance(1)
    expect(script.dialled).toEqual([1, 2, 3])
  })

  it('keeps at most `parallel` dials in flight', async () => {
    const { clock, script, dialer } = setup({ parallel: 2 })
    script.outcome = undefined
    dialer.offer([1, 2, 3, 4, 5].map(addr))
    await settle(clock)
    expect(script.inFlight).toEqual([1, 2])
    script.release(1, 'unreachable')
    await settle(clock)
    expect(script.inFlight).toEqual([2, 3])
    script.release(2)
    script.release(3, 'gate-failed')
    await settle(clock)
    expect(script.inFlight).toEqual([4, 5])
    script.release(4)
    script.release(5)
    await settle(clock)
    expect(script.dialled).toEqual([1, 2, 3, 4, 5])
    // A candidate in flight is not queued twice.
    dialer.offer([addr(6)])
    dialer.offer([addr(6)], true)
    await settle(clock)
    expect(script.dialled).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('lets preferred candidates jump the queue', async () => {
    const { clock, script, dialer } = setup({ parallel: 1 })
    script.outcome = undefined
    dialer.offer([1, 2, 3].map(addr))
    dialer.offer([addr(4)], true)
    // Already queued, now preferred: moves to the front too.
    dialer.offer([addr(3)], true)
    for (const port of [1, 3, 4, 2]) {
      await settle(clock)
      expect(script.inFlight).toEqual([port])
      script.release(port)
    }
    await settle(clock)
    expect(script.dialled).toEqual([1, 3, 4, 2])
  })

  it('bounds the queue and counts what it dropped', async () => {
    let want = false
    const { clock, script, dialer } = setup({ maxQueued: 3, wantsMore: () => want })
    dialer.offer([1, 2, 3, 4, 5].map(addr))
    expect(dialer.counters.queueDropped).toBe(2)
    // A repeat of a queued candidate is not a drop.
    dialer.offer([addr(1)])
    expect(dialer.counters.queueDropped).toBe(2)
    await settle(clock)
    expect(script.dialled).toEqual([])
    want = true
    dialer.pump()
    await settle(clock)
    expect(script.dialled).toEqual([1, 2, 3])
  })

  it('does not lose a preferred candidate to a queue full of strangers: the newest stranger goes', async () => {
    let want = false
    const { clock, script, dialer } = setup({ maxQueued: 3, wantsMore: () => want })
    dialer.offer([1, 2, 3].map(addr))
    dialer.offer([addr(9)], true)
    expect(dialer.counters.queueDropped).toBe(1)
    want = true
    dialer.pump()
    await settle(clock)
    expect(script.dialled).toEqual([9, 1, 2])
  })

  it('honours skip() when offered and again when the dial would start', async () => {
    const skipped = new Set([2])
    const { clock, script, dialer } = setup({ parallel: 1, skip: (a) => skipped.has(a.port) })
    script.outcome = undefined
    dialer.offer([1, 2, 3, 4].map(addr))
    await settle(clock)
    expect(script.inFlight).toEqual([1])
    // 3 became ourselves or got linked while it waited.
    skipped.add(3)
    script.release(1)
    await settle(clock)
    expect(script.inFlight).toEqual([4])
    script.release(4)
    await settle(clock)
    expect(script.dialled).toEqual([1, 4])
  })

  it('stops dialling once closed, even when a dial in flight settles', async () => {
    const { clock, script, dialer } = setup({ parallel: 1, dialsPerMinute: 1 })
    script.outcome = undefined
    dialer.offer([1, 2].map(addr))
    await settle(clock)
    expect(script.inFlight).toEqual([1])
    dialer.close()
    script.release(1)
    await clock.advance(120_000)
    dialer.offer([addr(3)])
    await settle(clock)
    expect(script.dialled).toEqual([1])
    expect(clock.pending).toBe(0)
  })
})
