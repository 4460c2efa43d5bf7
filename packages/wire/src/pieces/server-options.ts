// Options and stats of PieceServer (server.ts), and what it keeps for each seeded torrent.
import type { HashSource } from './hash-source.js'
import type { PieceStorage } from './storage.js'
import type { PieceLayers } from './verify.js'

export interface PieceServerOptions {
  peerId?: Uint8Array
  maxConnections?: number
  maxQueuedRequests?: number
  idleTimeoutMs?: number
  /** Told why a connection was closed for a protocol violation (for logs). */
  onProtocolError?: (reason: string, peer: string) => void
  /**
   * Bytes of BEP 52 merkle trees kept for answering hash requests, over all torrents (default 64 MiB;
   * a tree costs about 64 bytes a piece). An evicted tree is rebuilt on the next request for it.
   */
  maxHashCacheBytes?: number
  /** Told why a BEP 52 hash request was rejected (for logs). */
  onHashReject?: (reason: string, peer: string) => void
}

export interface SeedOptions {
  /**
   * BEP 52 piece layers (hex pieces root → layer) from the .torrent. Without them a v2 file's piece
   * layer is computed from its data on the first hash request for it (all its pieces must be held).
   */
  pieceLayers?: PieceLayers
}

export interface PieceServerStats {
  connections: number
  piecesServed: number
  bytesServed: number
  metadataPiecesServed: number
  /** Connections closed for a protocol violation (bad handshake, bad request, flood, unknown torrent). */
  protocolErrors: number
  /** BEP 52 hash requests answered with hashes, and rejected (out of range, unknown root, not held). */
  hashRequestsServed: number
  hashRequestsRejected: number
  /**
   * Blocks not sent because the storage found its own data failing verification (cross-seeding:
   * the bytes on disk no longer match the pieces root); the connection is closed, not counted above.
   */
  verifyFailures: number
  /** Hybrid connections upgraded to the v2 infohash (BEP 52: v1 handshake with the v2 bit). */
  v2Upgrades: number
}

export interface Seeded {
  info: Uint8Array
  storage: PieceStorage
  hashes: HashSource
  /** Handshake infohashes (hex) it is seeded under: a hybrid's v1 hash and its truncated v2 hash. */
  keys: string[]
  /** Truncated v2 infohash of a hybrid, to upgrade a v1 handshake that sets the v2 bit (BEP 52). */
  v2Hash: Buffer | null
}
