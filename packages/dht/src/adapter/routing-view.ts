// Read-only views of k-bucket's routing-table tree (its public `root`): contacts with their
// bucket index and the bucket list. Used by the adapter only.
// Kept in the emitted .d.ts (the package ships types/) so that consumers type-check
// without skipLibCheck: these modules ship no types of their own.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an import would not reach the .d.ts
/// <reference path="../../types/untyped-modules.d.ts" preserve="true" />
import type KBucket from 'k-bucket'
import type { KBucketContact, KBucketNode } from 'k-bucket'

export interface EngineContact {
  id: Buffer
  host: string
  port: number
  /** ms timestamp of the last message from this node, 0 if never heard from. */
  lastSeen: number
  /** Bucket index: depth of the k-bucket tree leaf holding the contact (shared prefix bits). */
  bucket: number
}

export interface EngineBucket {
  index: number
  /** true for the bucket that covers our own id (the one that may still split). */
  mine: boolean
  size: number
}

export function toContact(c: KBucketContact, bucket: number): EngineContact {
  return { id: c.id, host: c.host, port: c.port, lastSeen: c.seen ?? 0, bucket }
}

export function bucketOf(table: KBucket, id: Buffer): number {
  let node: KBucketNode = table.root
  let depth = 0
  while (node.contacts === null) {
    const bit = (id[depth >> 3]! >> (7 - (depth & 7))) & 1
    node = bit ? node.right : node.left
    depth++
  }
  return depth
}

export function* allContacts(table: KBucket): Generator<EngineContact> {
  for (const { node, depth } of leaves(table)) {
    for (const c of node.contacts ?? []) yield toContact(c, depth)
  }
}

export function bucketList(table: KBucket): EngineBucket[] {
  const out: EngineBucket[] = []
  for (const { node, depth } of leaves(table))
    out.push({ index: depth, mine: !node.dontSplit, size: node.contacts?.length ?? 0 })
  return out.sort((x, y) => x.index - y.index)
}

function* leaves(table: KBucket): Generator<{ node: KBucketNode; depth: number }> {
  const stack: { node: KBucketNode; depth: number }[] = [{ node: table.root, depth: 0 }]
  while (stack.length) {
    const { node, depth } = stack.pop()!
    if (node.contacts === null) {
      stack.push({ node: node.right, depth: depth + 1 }, { node: node.left, depth: depth + 1 })
    } else yield { node, depth }
  }
}
