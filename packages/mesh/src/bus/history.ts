// What a reader has accepted per slot: the rollback and equivocation rules need memory, the
// rest of acceptance (sealed-item.ts) does not. In memory only: a restarted member starts afresh.
import type { BusEntry } from './sealed-item.js'

export type HistoryVerdict = 'new' | 'same' | 'rollback' | 'equivocation'

interface Seen {
  entry: BusEntry
  /** The exact `v` accepted, to tell a re-served copy from different content at the same seq. */
  v: Buffer
}

export class SlotHistory {
  private readonly seen = new Map<string, Seen>()
  /** Highest BEP 44 seq observed per slot, accepted or not: a put must go above it. */
  private readonly rawSeq = new Map<string, number>()

  latest(slot: string): BusEntry | null {
    return this.seen.get(slot)?.entry ?? null
  }

  observeSeq(slot: string, seq: number): void {
    if (seq > (this.rawSeq.get(slot) ?? -1)) this.rawSeq.set(slot, seq)
  }

  highestSeq(slot: string): number {
    return this.rawSeq.get(slot) ?? -1
  }

  /** How an item that passed every stateless check relates to what we hold. */
  classify(slot: string, seq: number, v: Buffer): HistoryVerdict {
    const prev = this.seen.get(slot)
    if (!prev || seq > prev.entry.seq) return 'new'
    if (seq < prev.entry.seq) return 'rollback'
    // BEP 44 storers refuse a second value at the same seq; one that reaches us anyway (a storer
    // that lies, or two members racing a shared slot) must not replace what we already delivered.
    return prev.v.equals(v) ? 'same' : 'equivocation'
  }

  accept(entry: BusEntry, v: Buffer): void {
    this.seen.set(entry.slot, { entry, v })
    this.observeSeq(entry.slot, entry.seq)
  }
}
