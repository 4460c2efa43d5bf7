// Virtual time for the simulator: one clock for every DHT node, the MemoryNetwork, the harvesters
// and the simulated BEP 9 (@bbmesh/dht's and @bbmesh/mesh's Clock have the same shape). Nothing
// waits for the wall clock: drive() lets every promise continuation settle, then jumps to the
// earliest due timer and fires it, one at a time in (due time, creation order). The same seed
// therefore gives the same run, however loaded the machine is.
import type { Clock as DhtClock, Timer } from '@bbmesh/dht'
import type { Clock as MeshClock } from '@bbmesh/mesh'
import { TestnetError } from '../errors.js'

interface Entry {
  at: number
  seq: number
  fn: () => void
  live: boolean
}

/** Settles without a due timer this many times in a row: the driven promise can never settle. */
const STALL_TURNS = 5

export class VirtualClock implements DhtClock, MeshClock {
  private t = 0
  private seq = 0
  private live = 0
  private readonly heap: Entry[] = []
  /** Timers fired so far (the simulation's event count). */
  fired = 0

  now(): number {
    return this.t
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const e: Entry = { at: this.t + (ms > 0 ? ms : 0), seq: this.seq++, fn, live: true }
    this.push(e)
    this.live++
    return {
      cancel: () => {
        if (!e.live) return
        e.live = false
        this.live--
      },
    }
  }

  /** Timers neither fired nor cancelled. */
  get pending(): number {
    return this.live
  }

  /** Runs virtual time until `p` settles; resolves or rejects as `p` does. */
  async drive<T>(p: Promise<T>): Promise<T> {
    let done = false
    p.then(
      () => (done = true),
      () => (done = true),
    )
    let idle = 0
    while (!done) {
      // setImmediate comes after every microtask and nextTick the last timer caused.
      await new Promise<void>((r) => setImmediate(r))
      if (done) break
      const e = this.next()
      if (!e) {
        if (++idle >= STALL_TURNS)
          throw new TestnetError('ERR_SIM_STALLED', 'simulation stalled: nothing scheduled, nothing settling')
        continue
      }
      idle = 0
      if (e.at > this.t) this.t = e.at
      e.live = false
      this.live--
      this.fired++
      e.fn()
    }
    return p
  }

  /** Pops the earliest live timer (cancelled ones are dropped lazily). */
  private next(): Entry | undefined {
    while (this.heap.length) {
      const top = this.pop()
      if (top.live) return top
    }
    return undefined
  }

  private push(e: Entry): void {
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (before(h[p]!, e)) break
      h[i] = h[p]!
      i = p
    }
    h[i] = e
  }

  private pop(): Entry {
    const h = this.heap
    const top = h[0]!
    const last = h.pop()!
    if (h.length) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = l < h.length && before(h[l]!, last) ? l : -1
        if (r < h.length && before(h[r]!, m < 0 ? last : h[m]!)) m = r
        if (m < 0) break
        h[i] = h[m]!
        i = m
      }
      h[i] = last
    }
    return top
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
