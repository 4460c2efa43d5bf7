// Options, the DHT it needs, and the figures a community mesh reports.
import type { ExtensionRegistry, PeerAddress } from '@bbmesh/wire'
import type { Clock } from '../clock.js'
import type { CommunityKeys } from '../community/derive.js'
import type { RendezvousDht } from './rendezvous.js'

/** The DHT node a mesh announces and looks up through; @bbmesh/dht's DhtNode (plus its id/port) fits. */
export interface MeshDht extends RendezvousDht {
  /** 20 bytes: our identity in the community. */
  readonly nodeId: Uint8Array
  /** The UDP port our DHT node listens on (told to members for later partitioned sampling). */
  readonly dhtPort: number
}

export interface MeshOptions {
  keys: Pick<CommunityKeys, 'gateSecret' | 'rendezvousKey'>
  dht: MeshDht
  clock?: Clock
  /** Wire listener for member connections. Default 127.0.0.1 and a free port. */
  listen?: { host?: string; port?: number }
  /** Members to dial first (invite hints, `--peer`), before the rendezvous has answered. */
  hints?: PeerAddress[]
  /** Member connections we try to keep. Default 12 (all members, when fewer). */
  targetConnections?: number
  /** Member connections we accept at most. Default 16. */
  maxConnections?: number
  /** Members in the table at most. Default 1024. */
  maxMembers?: number
  /** A member unheard of for this long is gone. Default 10 min. */
  goneAfterMs?: number
  /** Gossip, liveness and top-up cadence. Default 5 s. */
  gossipIntervalMs?: number
  dialsPerMinute?: number
  /** A candidate that failed the gate is not redialled for this long. Default 30 min. */
  gateBackoffMs?: number
  /** Time a dialled peer has to pass the gate. Default 10 s. */
  gateTimeoutMs?: number
  rendezvous?: { announceIntervalMs?: number; lookupMinMs?: number; overlapMs?: number }
  /** Capability bits we announce (CAPABILITIES). */
  caps?: number
  /** Our gossip-bus writer id (the bus's `writerId`), so members can read our feed while we are away. */
  feedId?: Uint8Array
  /** Registers further members-only extensions (pooling, search) on the same gated connections. */
  registerExtensions?: (registry: ExtensionRegistry) => void
}

/** A member as the table knows it. */
export interface MemberInfo {
  nodeId: string
  host: string
  wirePort: number
  dhtPort: number
  caps: number
  /** Bus writer id (hex) of its feed, when it publishes one. */
  feedId?: string
  connected: boolean
  /** Seconds since anyone we hear from heard of it. */
  lastSeenAgoS: number
  firstSeen: number
}

export interface MeshStats {
  /** Other members believed alive (not counting us). */
  members: number
  /** Member records ever added to the table (members met since start, a rejoin counted again). */
  seen: number
  connected: number
  gateFailures: number
  inboundGateFailures: number
  dials: number
  unreachable: number
  backedOff: number
  rateLimited: number
  announces: number
  lookups: number
  candidates: number
  messagesIn: number
  messagesOut: number
  entriesOut: number
  bytesOut: number
  floodDropped: number
  expired: number
  left: number
  gossipIgnored: number
  duplicateLinks: number
}

export interface MeshEvents {
  /** A member's gated connection said hello. */
  member: [MemberInfo]
  /** A member's connection closed. */
  disconnected: [MemberInfo]
  /** A member went unheard for goneAfterMs and left the table. */
  gone: [string]
}
