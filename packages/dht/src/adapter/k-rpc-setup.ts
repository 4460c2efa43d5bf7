// k-rpc as the engine (bittorrent-dht.ts) runs it: on our KrpcSocket, with contact ids in the
// shared slab, a bounded pending queue, and optionally our iterative lookup in place of its own
// `_closest` (lookup/iterative.ts). Adapter-only: it patches k-rpc members.
// Kept in the emitted .d.ts (the package ships types/) so that consumers type-check
// without skipLibCheck: these modules ship no types of their own.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an import would not reach the .d.ts
/// <reference path="../../types/untyped-modules.d.ts" preserve="true" />
import krpc from 'k-rpc'
import type { KBucketContact } from 'k-bucket'
import type { RPC } from 'k-rpc'
import { ID_LENGTH } from '../constants.js'
import { slabId } from '../id-slab.js'
import { QueueFullError } from '../errors.js'
import type { KrpcSocket } from '../krpc/socket.js'
import type { KrpcOutgoingQuery } from '../krpc/types.js'
import { LookupScheduler } from '../lookup/iterative.js'
import type { LookupHandle } from '../lookup/iterative.js'

export interface RpcOptions {
  id: Buffer
  socket: KrpcSocket
  bootstrap: string[]
  k: number
  concurrency: number
  /** Queries in flight below which background lookups (populate) may send; default concurrency/4. */
  backgroundConcurrency?: number
  maxPendingQueries: number
}

export function createRpc(opts: RpcOptions): RPC {
  const rpc = krpc({
    id: opts.id,
    idLength: ID_LENGTH,
    krpcSocket: opts.socket,
    bootstrap: opts.bootstrap.length ? opts.bootstrap : false,
    k: opts.k,
    concurrency: opts.concurrency,
    ...(opts.backgroundConcurrency !== undefined && { backgroundConcurrency: opts.backgroundConcurrency }),
  })
  // Contacts keep their id in a shared slab (id-slab.ts); a contact re-seen replaces the stored
  // object, which then takes over the incumbent's slab id and host string instead of new copies.
  rpc.nodes.on('added', (c: KBucketContact) => void (c.id = slabId(c.id)))
  rpc.nodes.on('updated', (old: KBucketContact, c: KBucketContact) => {
    if (c === old) return
    c.id = old.id
    if (c.host === old.host) c.host = old.host
  })
  // k-rpc queues queries beyond `concurrency` in an unbounded array; bound it here.
  const query = rpc.query.bind(rpc)
  rpc.query = (node, msg, cb) => {
    if (rpc.pending.length >= opts.maxPendingQueries) {
      if (cb) process.nextTick(cb, new QueueFullError(), null, node)
      return
    }
    query(node, msg, cb)
  }
  return rpc
}

/**
 * Our iterative lookup in place of k-rpc's `_closest`, on the same socket and routing table.
 * `started` receives each lookup's handle (bittorrent-dht's lookup() does not return it).
 */
export function installLookups(rpc: RPC, socket: KrpcSocket, started: (h: LookupHandle) => void): void {
  const sched = new LookupScheduler({
    ownId: rpc.id,
    k: rpc.k,
    concurrency: rpc.concurrency,
    backgroundConcurrency: rpc.backgroundConcurrency,
    query: (peer, msg, cb) => socket.query(peer, msg, cb),
    inflight: () => socket.inflight,
    queued: () => rpc.pending.length,
    routingClosest: (target, k) => rpc.nodes.closest(target, k),
    bootstrap: rpc.bootstrap,
    // Only the contact at that address: a reply naming its id elsewhere must not evict it.
    removeContact: (c) => {
      const old = rpc.nodes.get(c.id)
      if (old && old.host === c.host && old.port === c.port) rpc.nodes.remove(c.id)
    },
    destroyed: () => rpc.destroyed || socket.destroyed,
  })
  // After k-rpc's own 'update' listener, which first hands free slots to its pending queries.
  socket.on('update', () => sched.onQueryFinished())
  rpc._closest = (target, message, background, visit, cb) => {
    message.a.id ??= rpc.id
    const done = cb ?? (() => {})
    started(sched.start(target, message as KrpcOutgoingQuery, background, visit, done))
  }
}
