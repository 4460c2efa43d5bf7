import type { Clock, Timer } from '../clock.js'
import { ClosedError, PersistError } from '../errors.js'

export interface BatchedPersisterOptions<T> {
  /** Writes one batch; throwing keeps the batch buffered for the next try. */
  write: (batch: T[]) => Promise<void>
  clock: Clock
  /** Flush once this many items are buffered… */
  maxItems: number
  /** …or this long after the oldest unflushed item arrived. */
  maxDelayMs: number
  /** add() waits (backpressure) while this many are buffered; 10 × maxItems by default. */
  maxBuffered?: number
  /** Told about each failed write (the items are kept and retried after maxDelayMs). */
  onError?: (err: unknown) => void
}

export interface BatchedPersisterCounters {
  accepted: number
  written: number
  batches: number
  failures: number
  buffered: number
}

/**
 * Buffers items and writes them in batches: every `maxItems`, every `maxDelayMs`, and on stop().
 * One write runs at a time. A failed write loses nothing: its items go back to the front of the
 * buffer and are retried. stop() stops accepting and writes everything; if that final write fails
 * it throws PersistError and the items remain in `unwritten()`.
 */
export class BatchedPersister<T> {
  private buffer: T[] = []
  private writing: Promise<unknown> | undefined
  private timer: Timer | undefined
  private stopped = false
  private failing = false
  private stopping: Promise<void> | undefined
  private readonly roomWaiters: (() => void)[] = []
  private readonly c = { accepted: 0, written: 0, batches: 0, failures: 0 }
  private readonly maxBuffered: number

  constructor(private readonly opts: BatchedPersisterOptions<T>) {
    if (!(opts.maxItems >= 1)) throw new RangeError('maxItems must be ≥ 1')
    this.maxBuffered = Math.max(opts.maxItems, opts.maxBuffered ?? opts.maxItems * 10)
  }

  /**
   * Accepts an item; waits while the buffer is full. Rejects with ClosedError after stop(), and with
   * the signal's reason if it aborts while the buffer is full (the item is then not accepted).
   */
  async add(item: T, signal?: AbortSignal): Promise<void> {
    while (!this.stopped && this.buffer.length >= this.maxBuffered) {
      signal?.throwIfAborted()
      // After a failure the timer retries in maxDelayMs; kicking here would spin on a failing store.
      if (!this.failing) this.kick()
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', wake)
          const i = this.roomWaiters.indexOf(wake)
          if (i >= 0) this.roomWaiters.splice(i, 1)
          resolve()
        }
        this.roomWaiters.push(wake)
        signal?.addEventListener('abort', wake, { once: true })
      })
    }
    if (this.stopped) throw new ClosedError('persister stopped')
    this.buffer.push(item)
    this.c.accepted += 1
    if (this.buffer.length >= this.opts.maxItems) this.kick()
    else if (this.timer === undefined) this.arm()
  }

  /** Writes everything buffered now (waiting for a write in progress first). */
  async flush(): Promise<void> {
    for (;;) {
      while (this.writing !== undefined) await this.writing
      if (this.buffer.length === 0) return
      const err = await this.writeOnce()
      if (err !== undefined) throw new PersistError('batch write failed', this.buffer.length, { cause: err })
    }
  }

  /** Stops accepting and writes what is buffered. Safe to call twice; concurrent calls share one flush. */
  stop(): Promise<void> {
    if (this.stopping === undefined) {
      this.stopped = true
      this.timer?.cancel()
      this.timer = undefined
      for (const w of this.roomWaiters.splice(0)) w()
      // A failed final write can be retried by calling stop() again.
      this.stopping = this.flush().catch((err: unknown) => {
        this.stopping = undefined
        throw err
      })
    }
    return this.stopping
  }

  /** Items accepted but not yet written. */
  unwritten(): readonly T[] {
    return this.buffer
  }

  counters(): BatchedPersisterCounters {
    return { ...this.c, buffered: this.buffer.length }
  }

  private arm(): void {
    if (this.stopped) return
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined
      this.kick()
    }, this.opts.maxDelayMs)
  }

  /** Starts a background write unless one is running; re-arms the timer for what remains. */
  private kick(): void {
    if (this.writing !== undefined || this.buffer.length === 0) return
    this.timer?.cancel()
    this.timer = undefined
    void this.writeOnce().then((err) => {
      // After a failure, wait maxDelayMs rather than hammering a store that is down.
      if (err === undefined && this.buffer.length >= this.opts.maxItems) this.kick()
      else if (this.buffer.length > 0 && this.timer === undefined) this.arm()
    })
  }

  /** Writes one batch; resolves to the error when it failed (the batch is back in the buffer). */
  private writeOnce(): Promise<unknown> {
    const batch = this.buffer.splice(0, this.opts.maxItems)
    const p = (async () => {
      await null // so that `this.writing` is set before the write can settle
      try {
        await this.opts.write(batch)
        this.c.written += batch.length
        this.c.batches += 1
        this.failing = false
        return undefined
      } catch (err) {
        this.c.failures += 1
        this.failing = true
        this.buffer.unshift(...batch)
        this.opts.onError?.(err)
        return err ?? new Error('write failed')
      } finally {
        this.writing = undefined
        for (const w of this.roomWaiters.splice(0)) w()
      }
    })()
    this.writing = p
    return p
  }
}
