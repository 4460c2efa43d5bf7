// Keyspace partitioning by node-ID locality: the owner of a DHT node or an infohash is the member,
// among us and the members we hold a live bb_pool link to, whose node id is XOR-closest to it. There
// is no coordinator and nothing to agree on: ownership follows the links, so when a member leaves or
// its link drops, its region falls to the next-closest member at once. In a community small enough
// that everyone links to everyone (the mesh keeps 12 links) all members compute the same owner; in
// bigger ones views can differ at the edges, which costs duplicate work, never lost work.

/** Whom a key belongs to: us, or the member behind a link (its key in the map given to `set`). */
export type Owner = { self: true } | { self: false; who: string }

const SELF: Owner = { self: true }

export class Ownership {
  private readonly members = new Map<string, Uint8Array>()

  constructor(readonly selfId: Uint8Array) {
    if (selfId.length !== 20) throw new RangeError('a node id is 20 bytes')
  }

  /** A member we now hold a link to, under `who` (its link key), partitioning by `nodeId`. */
  set(who: string, nodeId: Uint8Array): void {
    if (nodeId.length === 20) this.members.set(who, nodeId)
  }

  delete(who: string): void {
    this.members.delete(who)
  }

  get size(): number {
    return this.members.size
  }

  /** The owner of a 20-byte key (node id or infohash); ties (equal ids) go to us. */
  ownerOf(key: Uint8Array): Owner {
    let best = this.selfId
    let owner = SELF
    for (const [who, id] of this.members) {
      if (closer(key, id, best)) {
        best = id
        owner = { self: false, who }
      }
    }
    return owner
  }

  /** The share of a uniformly random key space we own now (1 / members, as a figure to report). */
  share(): number {
    return 1 / (this.members.size + 1)
  }
}

/** Whether `a` is strictly XOR-closer to `key` than `b` (the first differing byte decides). */
export function closer(key: Uint8Array, a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) {
    const da = key[i]! ^ a[i]!
    const db = key[i]! ^ b[i]!
    if (da !== db) return da < db
  }
  return false
}
