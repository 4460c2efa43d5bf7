// Keyspace partitioning by node-ID locality: the owner of a DHT node or an infohash is the member,
// among us and the members we hold a live bb_pool link to, whose node id is XOR-closest to it. There
// is no coordinator and nothing to agree on: ownership follows the links, so when a member leaves or
// its link drops, its region falls to the next-closest member at once. In a community small enough
// that everyone links to everyone (the mesh keeps 12 links) all members compute the same owner; in
// bigger ones views can differ at the edges, which costs duplicate work, never lost work.
//
// One id per member splits the keyspace unevenly: with 8 random ids the largest region is about
// twice the mean, and the pool goes no faster than the member with the most work. So each member
// partitions by `points` ids derived from its node id (its id, then SHA-1(id || i)); with 32 the
// largest region comes down to about 1.25 times the mean. Anyone derives them from the id and the
// count the member states in its hello.
import { createHash } from 'node:crypto'

/** Whom a key belongs to: us, or the member behind a link (its key in the map given to `set`). */
export type Owner = { self: true } | { self: false; who: string }

const SELF: Owner = { self: true }

/** The ids a member with this node id partitions by: the id itself, then SHA-1(id || i). */
export function partitionIds(nodeId: Uint8Array, points: number): Uint8Array[] {
  const ids = [nodeId]
  for (let i = 1; i < points; i++)
    ids.push(createHash('sha1').update(nodeId).update(Uint8Array.of(i)).digest())
  return ids
}

/** Most partition ids a member may state (bounds the work of every ownership decision). */
export const MAX_PARTITION_POINTS = 64

export class Ownership {
  private readonly members = new Map<string, Uint8Array[]>()
  private readonly own: Uint8Array[]

  constructor(
    readonly selfId: Uint8Array,
    readonly points = 1,
  ) {
    if (selfId.length !== 20) throw new RangeError('a node id is 20 bytes')
    if (!(Number.isInteger(points) && points >= 1 && points <= MAX_PARTITION_POINTS))
      throw new RangeError(`points must be 1..${MAX_PARTITION_POINTS}`)
    this.own = partitionIds(selfId, points)
  }

  /** A member we now hold a link to, under `who` (its link key), partitioning by `nodeId`. */
  set(who: string, nodeId: Uint8Array, points = 1): void {
    if (nodeId.length !== 20) return
    this.members.set(
      who,
      partitionIds(nodeId, Math.max(1, Math.min(MAX_PARTITION_POINTS, Math.floor(points)))),
    )
  }

  delete(who: string): void {
    this.members.delete(who)
  }

  get size(): number {
    return this.members.size
  }

  /** The owner of a 20-byte key (node id or infohash); ties (equal ids) go to us. */
  ownerOf(key: Uint8Array): Owner {
    let best = this.own[0]!
    for (const id of this.own) if (closer(key, id, best)) best = id
    let owner = SELF
    for (const [who, ids] of this.members)
      for (const id of ids)
        if (closer(key, id, best)) {
          best = id
          owner = { self: false, who }
        }
    return owner
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
