/**
 * What `offer()` does when the queue is full: refuse the new item, or make room by dropping the
 * oldest one. `put()` never drops: it waits for room (backpressure).
 */
export type DropPolicy = 'drop-new' | 'drop-oldest'

export interface BoundedQueueOptions {
  capacity: number
  dropPolicy?: DropPolicy
}

export interface BoundedQueueCounters {
  accepted: number
  dropped: number
  taken: number
  /** Deepest the queue has been. */
  highWater: number
}

/**
 * A FIFO queue with a hard capacity joining two pipeline stages. Producers either `offer()` (never
 * waits; drops by policy when full) or `put()` (waits for room). Consumers `take()` or iterate.
 * After `close()` nothing more is accepted; consumers drain what is left, then see the end.
 * `undefined` marks the end, so T must not include it.
 */
export class BoundedQueue<T> {
  readonly capacity: number
  readonly dropPolicy: DropPolicy
  private items: T[] = []
  private head = 0
  private readonly takers: ((item: T | undefined) => void)[] = []
  private readonly putters: { item: T; resolve: (ok: boolean) => void }[] = []
  private isClosed = false
  private readonly c: BoundedQueueCounters = { accepted: 0, dropped: 0, taken: 0, highWater: 0 }

  constructor(opts: BoundedQueueOptions) {
    if (!Number.isInteger(opts.capacity) || opts.capacity < 1) throw new RangeError('capacity must be ≥ 1')
    this.capacity = opts.capacity
    this.dropPolicy = opts.dropPolicy ?? 'drop-new'
  }

  get size(): number {
    return this.items.length - this.head
  }

  get closed(): boolean {
    return this.isClosed
  }

  counters(): BoundedQueueCounters & { size: number } {
    return { ...this.c, size: this.size }
  }

  /** Adds without waiting. Returns false when the item was not accepted (full with drop-new, or closed). */
  offer(item: T): boolean {
    if (this.isClosed) return false
    if (this.handToTaker(item)) return true
    if (this.size >= this.capacity) {
      this.c.dropped += 1
      if (this.dropPolicy === 'drop-new') return false
      this.head += 1
    }
    this.append(item)
    return true
  }

  /** Adds, waiting for room while full. Resolves false if the queue closes first. */
  put(item: T): Promise<boolean> {
    if (this.isClosed) return Promise.resolve(false)
    if (this.handToTaker(item)) return Promise.resolve(true)
    if (this.size < this.capacity) {
      this.append(item)
      return Promise.resolve(true)
    }
    return new Promise((resolve) => this.putters.push({ item, resolve }))
  }

  /** The next item, waiting while empty; undefined once closed and drained. */
  take(): Promise<T | undefined> {
    const item = this.tryTake()
    if (item !== undefined || this.isClosed) return Promise.resolve(item)
    return new Promise((resolve) => this.takers.push(resolve))
  }

  /** The next item if one is ready. */
  tryTake(): T | undefined {
    if (this.size === 0) return undefined
    const item = this.items[this.head] as T
    this.head += 1
    this.c.taken += 1
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    const waiting = this.putters.shift()
    if (waiting !== undefined) {
      this.append(waiting.item)
      waiting.resolve(true)
    }
    return item
  }

  /** Stops accepting. Waiting producers get false; waiting consumers end once the queue is drained. */
  close(): void {
    if (this.isClosed) return
    this.isClosed = true
    for (const p of this.putters.splice(0)) p.resolve(false)
    for (const t of this.takers.splice(0)) t(undefined)
  }

  /** Takes items until closed and drained. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = await this.take()
      if (item === undefined) return
      yield item
    }
  }

  private handToTaker(item: T): boolean {
    const taker = this.takers.shift()
    if (taker === undefined) return false
    this.c.accepted += 1
    this.c.taken += 1
    taker(item)
    return true
  }

  private append(item: T): void {
    this.items.push(item)
    this.c.accepted += 1
    if (this.size > this.c.highWater) this.c.highWater = this.size
  }
}
