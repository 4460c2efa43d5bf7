// Types of the iterative lookup (iterative.ts): what it needs from the node and what it reports.
import type { KrpcMessage, KrpcOutgoingQuery, QueryCallback, QueryTarget, RemoteInfo } from '../krpc/types.js'
import type { PeerAddress } from '../transport/types.js'

export interface LookupContact {
  id: Buffer
  host: string
  port: number
}

/** What a lookup needs from the node: the socket's query and load, the routing table, the bootstrap list. */
export interface LookupNetwork {
  ownId: Buffer
  k: number
  /** Most queries in flight on the socket, all senders together. */
  concurrency: number
  /** Background lookups (populate) send only while fewer are in flight, unless nothing else runs. */
  backgroundConcurrency: number
  query(peer: QueryTarget, msg: KrpcOutgoingQuery, cb: QueryCallback): void
  inflight(): number
  /** Queries waiting for a slot outside the lookups (k-rpc's pending list): others' work. */
  queued(): number
  routingClosest(target: Buffer, k: number): LookupContact[]
  bootstrap: readonly PeerAddress[]
  /** Called for a contact that timed out or answered with another id (k-rpc evicts those). */
  removeContact(c: LookupContact): void
  destroyed(): boolean
}

export type LookupVisit = (res: KrpcMessage, from: RemoteInfo) => boolean | void
export type LookupDone = (err: Error | null, responders: number) => void

export interface LookupStats {
  queries: number
  responders: number
  /** Longest chain of referrals to a node that answered (seeds are hop 1). */
  hops: number
}

export interface LookupHandle {
  /** Sends nothing more, skips `visit` for replies still in flight; `cb` runs once they are in. */
  stop(): void
  readonly stats: LookupStats
}

export interface SchedulerCounters {
  started: number
  active: number
  /** Times a waiting lookup was woken for a free slot. */
  wakeups: number
}
