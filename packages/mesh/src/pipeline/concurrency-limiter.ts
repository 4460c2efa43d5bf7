import { ClosedError, LimiterFullError } from '../errors.js'

export interface ConcurrencyLimiterOptions {
  /** Slots across all keys. */
  global: number
  /** Slots per key (per peer). */
  perKey: number
  /** Callers allowed to wait at once; beyond this acquire() rejects with LimiterFullError. */
  maxWaiting?: number
}

/** Gives a slot back; safe to call twice. */
export type Release = () => void

interface Waiter {
  key: string
  grant: (release: Release) => void
  fail: (err: unknown) => void
}

export interface ConcurrencyLimiterCounters {
  active: number
  waiting: number
  granted: number
  rejected: number
  aborted: number
  peakActive: number
}

/**
 * Caps work running at once, globally and per key. Waiters are served first come, first served,
 * except that a waiter whose key is at its cap is skipped (it does not block other keys).
 */
export class ConcurrencyLimiter {
  private active = 0
  private readonly perKeyActive = new Map<string, number>()
  private readonly waiters: Waiter[] = []
  private closed = false
  private readonly c = { granted: 0, rejected: 0, aborted: 0, peakActive: 0 }
  private readonly maxWaiting: number

  constructor(private readonly opts: ConcurrencyLimiterOptions) {
    if (!(opts.global >= 1 && opts.perKey >= 1)) throw new RangeError('caps must be ≥ 1')
    this.maxWaiting = opts.maxWaiting ?? 10_000
  }

  /** A slot for `key` now, or undefined if none is free. */
  tryAcquire(key: string): Release | undefined {
    if (this.closed || !this.free(key)) return undefined
    return this.take(key)
  }

  /** A slot for `key`, waiting for one if needed. */
  acquire(key: string, signal?: AbortSignal): Promise<Release> {
    if (this.closed) return Promise.reject(new ClosedError('limiter closed'))
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.free(key)) return Promise.resolve(this.take(key))
    if (this.waiters.length >= this.maxWaiting) {
      this.c.rejected += 1
      return Promise.reject(new LimiterFullError(`${this.waiters.length} callers already waiting`))
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        this.c.aborted += 1
        reject(signal?.reason)
      }
      const waiter: Waiter = {
        key,
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(release)
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort)
          reject(err)
        },
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
  }

  /** Runs `fn` holding a slot for `key`. */
  async run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(key, signal)
    try {
      return await fn()
    } finally {
      release()
    }
  }

  activeFor(key: string): number {
    return this.perKeyActive.get(key) ?? 0
  }

  /** Rejects every waiter with ClosedError; slots already held can still be released. */
  close(): void {
    this.closed = true
    for (const w of this.waiters.splice(0)) w.fail(new ClosedError('limiter closed'))
  }

  counters(): ConcurrencyLimiterCounters {
    return { ...this.c, active: this.active, waiting: this.waiters.length }
  }

  private free(key: string): boolean {
    return this.active < this.opts.global && this.activeFor(key) < this.opts.perKey
  }

  private take(key: string): Release {
    this.active += 1
    this.perKeyActive.set(key, this.activeFor(key) + 1)
    this.c.granted += 1
    if (this.active > this.c.peakActive) this.c.peakActive = this.active
    let released = false
    return () => {
      if (released) return
      released = true
      this.active -= 1
      const n = this.activeFor(key) - 1
      if (n <= 0) this.perKeyActive.delete(key)
      else this.perKeyActive.set(key, n)
      this.dispatch()
    }
  }

  private dispatch(): void {
    for (let i = 0; i < this.waiters.length && this.active < this.opts.global;) {
      const w = this.waiters[i] as Waiter
      if (this.activeFor(w.key) < this.opts.perKey) {
        this.waiters.splice(i, 1)
        w.grant(this.take(w.key))
      } else i++
    }
  }
}
