import type { Clock, Timer } from '@bbmesh/dht'

// The pipeline takes the same Clock as @bbmesh/dht's nodes (`now()` in ms, cancellable
// `setTimeout`), so one virtual clock can drive a whole simulation; tests and the simulator inject one.
export type { Clock, Timer }

/** Wall-clock time; timers are unref'd so a forgotten one never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms))
    t.unref()
    return { cancel: () => clearTimeout(t) }
  },
}

/** Resolves after `ms` on `clock`; rejects with the signal's reason when aborted first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = (): void => {
      timer.cancel()
      reject(signal?.reason)
    }
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

interface ManualTimer {
  at: number
  seq: number
  fn: () => void
  cancelled: boolean
}

/**
 * Virtual time that only moves when told to. `advance()` runs due timers in time order and lets
 * promise continuations settle between them, so async code driven by the clock behaves as it
 * would in real time, only instantly. Used by tests and, later, the simulator.
 */
export class ManualClock implements Clock {
  private time: number
  private seq = 0
  private timers: ManualTimer[] = []

  constructor(start = 0) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const t: ManualTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false }
    this.timers.push(t)
    return {
      cancel: () => {
        t.cancelled = true
      },
    }
  }

  /** Number of timers not yet fired or cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms
    await settle()
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled)
      let next: ManualTimer | undefined
      for (const t of this.timers)
        if (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t
      if (next === undefined || next.at > end) break
      this.time = Math.max(this.time, next.at)
      next.cancelled = true
      next.fn()
      await settle()
    }
    this.time = end
    await settle()
  }
}

/** Lets queued promise continuations run (several turns, since chains take one turn per link). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
  await new Promise<void>((r) => setImmediate(r))
}
