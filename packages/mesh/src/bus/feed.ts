// The first user of the bus: each member's "what's new" feed, its newest infohashes in its own
// `feed:<writer id>` slot, so a member that was offline catches up without a live connection.
import type { Bus } from './bus.js'
import { BusError } from './errors.js'
import type { BusEntry } from './sealed-item.js'
import { slotSalt } from './slot.js'

const HASH_BYTES = 20

/** A feed value is the infohashes concatenated, newest first (no framing: length is a multiple of 20). */
export function encodeFeed(infohashes: readonly Uint8Array[]): Buffer {
  for (const h of infohashes)
    if (h.length !== HASH_BYTES) throw new BusError('BAD_ARGUMENT', 'an infohash is 20 bytes')
  return Buffer.concat(infohashes.map((h) => Buffer.from(h)))
}

/** The infohashes of a feed value, or null when its length is not a multiple of 20. */
export function decodeFeed(value: Uint8Array): Buffer[] | null {
  if (value.length % HASH_BYTES !== 0) return null
  const out: Buffer[] = []
  for (let i = 0; i < value.length; i += HASH_BYTES) out.push(Buffer.from(value.subarray(i, i + HASH_BYTES)))
  return out
}

/** Keeps the newest infohashes (deduplicated) and publishes as many as fit one bus item. */
export class FeedWriter {
  /** How many infohashes one item holds after sealing (36 with today's envelope). */
  readonly capacity: number
  private newest: Buffer[] = []

  constructor(private readonly bus: Bus) {
    this.capacity = Math.floor(bus.maxValueBytes(bus.feedSlot) / HASH_BYTES)
  }

  /** Adds infohashes in the order they were indexed (the last one is the newest). */
  add(infohashes: Iterable<Uint8Array>): void {
    const fresh: Buffer[] = []
    for (const h of infohashes) {
      if (h.length !== HASH_BYTES) throw new BusError('BAD_ARGUMENT', 'an infohash is 20 bytes')
      fresh.unshift(Buffer.from(h))
    }
    const seen = new Set<string>()
    const merged: Buffer[] = []
    for (const h of [...fresh, ...this.newest]) {
      const key = h.toString('hex')
      if (seen.has(key)) continue
      seen.add(key)
      merged.push(h)
      if (merged.length === this.capacity) break
    }
    this.newest = merged
  }

  /** The list as it would be published, newest first. */
  get infohashes(): readonly Buffer[] {
    return this.newest
  }

  /** Puts the current list into our feed slot (the bus then republishes it). */
  publish(): ReturnType<Bus['put']> {
    return this.bus.put(this.bus.feedSlot, encodeFeed(this.newest))
  }
}

export interface Feed {
  /** Newest first. */
  infohashes: Buffer[]
  seq: number
  /** Unix seconds, as the writer stated it. */
  writtenAt: number
  /** The writer's DHT node id, as it stated it. */
  nodeId: Buffer
}

/** Reads other members' feeds through the bus (every acceptance rule applies). */
export class FeedReader {
  /** Feed values that opened and verified but are not whole infohashes. */
  malformedFeeds = 0

  constructor(private readonly bus: Bus) {}

  /** The feed of the member whose bus id (SHA-1 of its writer key, see `writerId`) is `member`. */
  async read(member: Uint8Array): Promise<Feed | null> {
    const entry = await this.bus.get(feedSlotOf(member))
    return entry ? this.toFeed(entry) : null
  }

  /** Calls `onFeed` for every new seq of the member's feed. Returns stop. */
  watch(member: Uint8Array, onFeed: (feed: Feed) => void, intervalMs?: number): () => void {
    return this.bus.watch(
      feedSlotOf(member),
      (entry) => {
        const feed = this.toFeed(entry)
        if (feed) onFeed(feed)
      },
      { intervalMs },
    )
  }

  private toFeed(entry: BusEntry): Feed | null {
    const infohashes = decodeFeed(entry.value)
    if (!infohashes) {
      this.malformedFeeds++
      return null
    }
    return { infohashes, seq: entry.seq, writtenAt: entry.writtenAt, nodeId: entry.nodeId }
  }
}

function feedSlotOf(member: Uint8Array): string {
  if (member.length !== HASH_BYTES) throw new BusError('BAD_ARGUMENT', 'a member bus id is 20 bytes')
  const slot = `feed:${Buffer.from(member).toString('hex')}`
  slotSalt(slot)
  return slot
}
