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

/** A handler's answer: `r` fields (our `id` is added), a KRPC error, or no reply at all. */
export type QueryReply = { r: { [key: string]: BInput } } | { e: [number, string] } | null

/** A handler registered with `node.handle(method, handler)`. */
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
