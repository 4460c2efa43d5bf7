// What each member said it holds (its have deltas): a Bloom filter per member, so memory stays fixed
// however much it indexes (about 1.8 bytes per infohash; a false positive, about 1 in 1,000, costs one
// relay round trip). Forgotten when the member's last link closes.
import { BloomFilter } from '../pipeline/bloom-filter.js'

export class Holdings {
  private readonly holds = new Map<string, BloomFilter>()

  constructor(private readonly capacity: number) {}

  /** Records that `who` holds these; returns the ones its filter did not have yet. */
  add(who: string, infohashes: readonly Uint8Array[]): Uint8Array[] {
    let holds = this.holds.get(who)
    if (holds === undefined) {
      holds = new BloomFilter({ expectedItems: this.capacity, falsePositiveRate: 1e-3 })
      this.holds.set(who, holds)
    }
    const fresh = infohashes.filter((ih) => !holds.has(ih))
    for (const ih of fresh) holds.add(ih)
    return fresh
  }

  /** Which of `members` said they hold `key` (20 bytes). */
  holders(key: Uint8Array, members: Iterable<string>): Set<string> {
    const out = new Set<string>()
    for (const who of members) if (this.holds.get(who)?.has(key) === true) out.add(who)
    return out
  }

  forget(who: string): void {
    this.holds.delete(who)
  }
}
