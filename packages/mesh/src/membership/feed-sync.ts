// A member's "what's new" feed on the gossip bus, both ways: it publishes the newest infohashes it
// indexed, and reads the feeds of the members it knows (on first contact, then every readIntervalMs),
// offering what they list to its own harvester. A member that was offline catches up this way without
// a live link to whoever indexed the torrents. Reads are bounded per cycle; a feed seq is read once.
import type { Bus } from '../bus/bus.js'
import { FeedReader, FeedWriter } from '../bus/feed.js'
import { systemClock, type Clock, type Timer } from '../clock.js'
import type { MemberInfo } from './types.js'

export interface FeedSyncOptions {
  bus: Bus
  /** The members known now; their `feedId` says where each one's feed is. */
  members(): MemberInfo[]
  /** An infohash another member indexed (the harvester's `offer`). */
  offer(infohash: Buffer, fromNodeId: string): void
  clock?: Clock
  /** Publish our feed this often when it changed. Default 5 min. */
  publishIntervalMs?: number
  /** Re-read a member's feed at most this often. Default 10 min. */
  readIntervalMs?: number
  /** Feeds read per cycle at most. Default 16. */
  maxReadsPerCycle?: number
}

export interface FeedSyncCounters {
  published: number
  publishFailures: number
  feedsRead: number
  feedReadFailures: number
  /** Infohashes offered to the harvester from other members' feeds. */
  offered: number
}

export class FeedSync {
  readonly counters: FeedSyncCounters = {
    published: 0,
    publishFailures: 0,
    feedsRead: 0,
    feedReadFailures: 0,
    offered: 0,
  }
  private readonly writer: FeedWriter
  private readonly reader: FeedReader
  private readonly clock: Clock
  private readonly lastRead = new Map<string, { at: number; seq: number }>()
  private dirty = false
  private lastPublish = 0
  private timer: Timer | undefined
  private running: Promise<void> | undefined
  private closed = false

  constructor(private readonly opts: FeedSyncOptions) {
    this.writer = new FeedWriter(opts.bus)
    this.reader = new FeedReader(opts.bus)
    this.clock = opts.clock ?? systemClock
  }

  /** Infohashes we just indexed (v1, or v2 truncated to 20 bytes: the DHT key). */
  add(infohashes: Iterable<Uint8Array>): void {
    this.writer.add(infohashes)
    this.dirty = true
  }

  start(cycleMs = 15_000): void {
    const loop = (): void => {
      if (this.closed) return
      this.timer = this.clock.setTimeout(() => void this.cycle().finally(loop), cycleMs)
    }
    loop()
  }

  /** One publish-and-read pass now (also what the timer runs). */
  cycle(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined))
    return this.running
  }

  async close(): Promise<void> {
    this.closed = true
    this.timer?.cancel()
    await this.running?.catch(() => undefined)
  }

  private async pass(): Promise<void> {
    const now = this.clock.now()
    if (this.dirty && now - this.lastPublish >= (this.opts.publishIntervalMs ?? 5 * 60_000)) {
      this.dirty = false
      this.lastPublish = now
      await this.writer.publish().then(
        () => this.counters.published++,
        () => {
          this.counters.publishFailures++
          this.dirty = true
        },
      )
    }
    const readMs = this.opts.readIntervalMs ?? 10 * 60_000
    const due = this.opts
      .members()
      .filter((m) => m.feedId !== undefined)
      .filter((m) => now - (this.lastRead.get(m.feedId!)?.at ?? -Infinity) >= readMs)
      .slice(0, this.opts.maxReadsPerCycle ?? 16)
    for (const m of due) {
      if (this.closed) return
      await this.read(m, now)
    }
    // Bounded by the member table: forget members no longer in it.
    const known = new Set(this.opts.members().map((m) => m.feedId))
    for (const id of this.lastRead.keys()) if (!known.has(id)) this.lastRead.delete(id)
  }

  private async read(m: MemberInfo, now: number): Promise<void> {
    const id = m.feedId!
    const prev = this.lastRead.get(id)
    this.lastRead.set(id, { at: now, seq: prev?.seq ?? -1 })
    try {
      const feed = await this.reader.read(Buffer.from(id, 'hex'))
      this.counters.feedsRead++
      if (!feed || feed.seq <= (prev?.seq ?? -1)) return
      this.lastRead.set(id, { at: now, seq: feed.seq })
      for (const ih of feed.infohashes) {
        this.opts.offer(ih, m.nodeId)
        this.counters.offered++
      }
    } catch {
      this.counters.feedReadFailures++
    }
  }
}
