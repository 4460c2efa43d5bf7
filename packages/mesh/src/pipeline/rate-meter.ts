import type { Clock } from '../clock.js'

/** Events per second over a sliding window of whole seconds (for the status line). */
export class RateMeter {
  private readonly buckets: number[]
  private readonly stamps: number[]
  private total = 0

  constructor(
    private readonly clock: Clock,
    private readonly windowSeconds = 10,
  ) {
    // One slot more than the window, so the current second never overwrites the oldest counted one.
    this.buckets = new Array<number>(windowSeconds + 1).fill(0)
    this.stamps = new Array<number>(windowSeconds + 1).fill(-1)
  }

  mark(n = 1): void {
    const sec = Math.floor(this.clock.now() / 1000)
    const i = sec % this.buckets.length
    if (this.stamps[i] !== sec) {
      this.stamps[i] = sec
      this.buckets[i] = 0
    }
    this.buckets[i] = (this.buckets[i] as number) + n
    this.total += n
  }

  get count(): number {
    return this.total
  }

  /** Mean rate over the last full window, the current partial second excluded. */
  perSecond(): number {
    const now = Math.floor(this.clock.now() / 1000)
    let sum = 0
    for (let i = 0; i < this.buckets.length; i++) {
      const stamp = this.stamps[i] as number
      if (stamp < now && stamp >= now - this.windowSeconds) sum += this.buckets[i] as number
    }
    return sum / this.windowSeconds
  }
}
