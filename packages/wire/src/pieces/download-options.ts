// Options and result of downloadPieces (download.ts).
import type { PeerAddress } from '../dial.js'
import type { PieceStorage } from './storage.js'
import type { PieceLayers } from './verify.js'

export interface DownloadProgress {
  piecesDone: number
  piecesWanted: number
  bytesFetched: number
}

export interface DownloadOptions {
  /** The verified bencoded info dict (e.g. from fetchMetadata). */
  info: Uint8Array
  peers: readonly PeerAddress[]
  /** Default: a MemoryStorage. */
  storage?: PieceStorage
  /** Pieces to fetch (default: every piece the storage lacks). */
  pieces?: Iterable<number>
  /**
   * BEP 52 piece layers (hex root → layer), e.g. from the .torrent; each must hash to its pieces root
   * (else ERR_BAD_INFO). Missing ones of a v2-only torrent are fetched from peers (hash requests).
   */
  pieceLayers?: PieceLayers
  peerId?: Uint8Array
  /** Overall deadline, default 60 s. */
  timeoutMs?: number
  /** A piece not complete this long after it was requested drops its peer; default 10 s. */
  pieceTimeoutMs?: number
  dialTimeoutMs?: number
  /** Peers connected at once, default 8. */
  maxPeers?: number
  /**
   * Pieces requested at once over all peers (the memory bound): default 64 MiB worth, between 4 and
   * 64 pieces; per peer, default 16.
   */
  maxInFlightPieces?: number
  maxPiecesPerPeer?: number
  signal?: AbortSignal
  onProgress?: (p: DownloadProgress) => void
}

export interface DownloadResult {
  storage: PieceStorage
  /** Payload bytes received in piece messages (what crossed the wire, pads excluded). */
  bytesFetched: number
  piecesFetched: number
  /** Pieces that failed verification (their peers were dropped). */
  badPieces: number
  /** Every piece layer known at the end, given or fetched by hash requests and verified. */
  pieceLayers: Map<string, Uint8Array>
  /** BEP 52 hashes messages that verified against their pieces root and were kept. */
  hashesFetched: number
  /** Hashes messages that failed the proof (their peers were dropped). */
  badHashes: number
  failures: { peer: string; reason: string }[]
  ms: number
}
