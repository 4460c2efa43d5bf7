import type { BDict, BInput } from '../bencode.js'
import type { NodeInfo } from '../compact.js'
import type { ItemStore } from '../item-store.js'
import type { PeerStore } from '../peer-store.js'
import type { SampleCache } from '../sample.js'
import type { TokenManager } from '../tokens.js'
import type { PeerAddress } from '../transport/types.js'

/** A validated incoming KRPC query. */
export interface IncomingQuery {
  method: string
  t: Buffer
  /** The `a` dictionary (its `id` is checked to be 20 bytes). */
  args: BDict
  senderId: Buffer
  from: PeerAddress
}

/**
 * A handler's answer, exactly one of: `{ r: { …fields } }`, sent as the reply dict with our `id` added
 * (an `id` field of the handler's is replaced; `undefined` and `null` fields are left out);
 * `{ e: [code, message] }`, a KRPC error (BEP 5: 201 generic, 202 server, 203 protocol, 204 method);
 * or `null`, no reply at all (the querier times out).
 */
export type QueryReply = { r: { [key: string]: BInput } } | { e: [number, string] } | null

/**
 * A handler registered with `node.handle(method, handler)`. It may be async. A throw, a rejection or
 * an answer of any other shape (say a bare `{ token }` without `r`, or `r` not a dict) is answered with
 * error 202 and counted in `stats().handlerErrors`; `undefined` is taken as `null`.
 */
export type QueryHandler = (query: IncomingQuery) => QueryReply | Promise<QueryReply>

export interface GetPeersObservation {
  infoHash: Buffer
  from: PeerAddress
  nodeId: Buffer
}

export interface AnnounceObservation extends GetPeersObservation {
  /** The port stored: the sender's UDP port when impliedPort is true. */
  port: number
  /** The `port` argument as sent. */
  announcedPort: number | null
  impliedPort: boolean
  /** false: the token was not one we issued to this IP; the peer was not stored. */
  tokenValid: boolean
}

/** What built-in handlers need; the node provides it. */
export interface ServerContext {
  tokens: TokenManager
  peers: PeerStore
  items: ItemStore
  samples: SampleCache
  closestNodes(target: Buffer, n: number): NodeInfo[]
  onGetPeers(o: GetPeersObservation): void
  onAnnounce(o: AnnounceObservation): void
}

export type BuiltinHandler = (query: IncomingQuery, ctx: ServerContext) => QueryReply
