// Protocol numbers and caps, each with the BEP it comes from. Caps are ours unless a BEP is cited.

/** BEP-3: the handshake is `19 "BitTorrent protocol" reserved[8] info_hash[20] peer_id[20]`. */
export const PROTOCOL_NAME = 'BitTorrent protocol'
export const HANDSHAKE_LENGTH = 1 + 19 + 8 + 20 + 20
export const INFO_HASH_LENGTH = 20
export const PEER_ID_LENGTH = 20
/** BEP-52: a v2 infohash is the full SHA-256 of the info dict; the handshake carries its first 20 bytes. */
export const V2_INFO_HASH_LENGTH = 32

/** BEP-3 message ids. */
export const MSG = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  /** BEP-5: `port` carries the sender's DHT UDP port. */
  port: 9,
  /** BEP-6 fast extension. */
  suggest: 0x0d,
  haveAll: 0x0e,
  haveNone: 0x0f,
  reject: 0x10,
  allowedFast: 0x11,
  /** BEP-10 extension protocol. */
  extended: 20,
  /** BEP-52: hash request, hashes, hash reject (pieces root, base layer, index, length, proof layers). */
  hashRequest: 21,
  hashes: 22,
  hashReject: 23,
} as const

/** BEP-52: a hash request / hash reject payload is pieces root[32] + 4 x uint32. */
export const HASH_REQUEST_PAYLOAD = 32 + 4 * 4
/** BEP-52: "Length SHOULD NOT be greater than 512" (piece-layer requests come in chunks of 512). */
export const MAX_HASH_REQUEST_LENGTH = 512
/**
 * libtorrent 2.0 asks for a whole piece's block hashes at once (up to 8192 for 128 MiB pieces), so a
 * request below the piece layer that stays within one piece may be longer than 512, up to this.
 */
export const MAX_HASH_REQUEST_LENGTH_IN_PIECE = 8192

/** Exact payload lengths (id byte included) of the fixed-size messages (BEP-3, BEP-5, BEP-6). */
export const FIXED_MESSAGE_LENGTH: ReadonlyMap<number, number> = new Map([
  [MSG.choke, 1],
  [MSG.unchoke, 1],
  [MSG.interested, 1],
  [MSG.notInterested, 1],
  [MSG.have, 5],
  [MSG.request, 13],
  [MSG.cancel, 13],
  [MSG.port, 3],
  [MSG.suggest, 5],
  [MSG.haveAll, 1],
  [MSG.haveNone, 1],
  [MSG.reject, 13],
  [MSG.allowedFast, 5],
])
/** Minimum payload lengths of the variable-size messages: piece = id+index+begin, extended = id+ext id. */
export const MIN_MESSAGE_LENGTH: ReadonlyMap<number, number> = new Map([
  [MSG.bitfield, 1],
  [MSG.piece, 9],
  [MSG.extended, 2],
])

/** Reserved-byte bits (BEP-3 handshake, byte index within the 8 reserved bytes). */
export const RESERVED = {
  /** BEP-10: reserved[5] & 0x10. */
  extended: { byte: 5, mask: 0x10 },
  /** BEP-5: reserved[7] & 0x01. */
  dht: { byte: 7, mask: 0x01 },
  /** BEP-6: reserved[7] & 0x04. */
  fast: { byte: 7, mask: 0x04 },
  /**
   * BEP-52: reserved[7] & 0x10, "supports the new format" on a hybrid's v1 handshake. Our PieceServer
   * sets it for v2 and hybrid torrents (it answers hash requests); metadata-only connections do not.
   */
  v2: { byte: 7, mask: 0x10 },
} as const

/** BEP-10: extended message id 0 is the extended handshake. */
export const EXTENDED_HANDSHAKE_ID = 0
/** BEP-10: `reqq` is the number of outstanding requests a client supports; libtorrent's default. */
export const DEFAULT_REQQ = 250

/** BEP-9: metadata is exchanged in 16 KiB pieces. */
export const METADATA_PIECE_SIZE = 16 * 1024
/** BEP-9 msg_type values. */
export const METADATA_MSG = { request: 0, data: 1, reject: 2 } as const
/** Outstanding BEP-9 requests per peer during a fetch (ours; 16 x 16 KiB in flight). */
export const METADATA_REQUEST_WINDOW = 16
/** Our default metadata size cap. 10 MB matches stock ut_metadata; the caller can raise or lower it. */
export const DEFAULT_MAX_METADATA_SIZE = 10_000_000

/** BEP-11: at most 50 added and 50 dropped peers per message. */
export const PEX_MAX_PEERS_PER_MESSAGE = 50
/** BEP-11 says "no more than once a minute"; stock ut_pex disconnects peers that send faster than 60 s. */
export const PEX_MIN_INTERVAL_MS = 60_000
/** A little more than the minimum so clock jitter never trips a strict receiver. */
export const PEX_DEFAULT_INTERVAL_MS = 65_000
/** Bound on the peers we remember per connection (ours, not a BEP). */
export const PEX_MAX_KNOWN_PEERS = 500
/** BEP-11 flag bits. */
export const PEX_FLAGS = {
  prefersEncryption: 0x01,
  seed: 0x02,
  utp: 0x04,
  holepunch: 0x08,
  reachable: 0x10,
} as const

/**
 * Largest message we accept. BEP-3 blocks are 16 KiB; clients historically drop requests over 128 KiB,
 * so 128 KiB + the 13-byte piece header is the largest honest message. Bitfields of very large torrents
 * (>1M pieces) would need more; the caller can raise it.
 */
export const DEFAULT_MAX_MESSAGE_LENGTH = 128 * 1024 + 13
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000
/** BEP-3: keep-alives are sent about every two minutes; silence past that means a dead peer. */
export const DEFAULT_IDLE_TIMEOUT_MS = 150_000
/** How often we send a BEP-3 keep-alive (a zero-length message). */
export const KEEP_ALIVE_INTERVAL_MS = 60_000
export const DEFAULT_DIAL_TIMEOUT_MS = 5_000
export const DEFAULT_MAX_CONNECTIONS = 256
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 4

/**
 * Inbound peer whose infohash is being looked up asynchronously (BEP-9 serve from a database): the
 * extended messages it sends before we answer its handshake are held, at most this many and bytes.
 */
export const MAX_HELD_EXTENDED_MESSAGES = 8
export const MAX_HELD_EXTENDED_BYTES = 64 * 1024
/** Asynchronous metadata lookups running at once in a MetadataServer, and how many may wait. */
export const DEFAULT_MAX_CONCURRENT_LOOKUPS = 16
export const DEFAULT_MAX_QUEUED_LOOKUPS = 256

/** Client name sent as `v` in the BEP-10 extended handshake, and the peer-id prefix (BEP-20 style). */
export const CLIENT_NAME = 'bbmesh 0.1.0'
export const PEER_ID_PREFIX = '-BB0010-'

/** Members-only gate (docs/PROTOCOL.md). */
export const GATE_EXTENSION_NAME = 'bb_gate'
export const GATE_NONCE_LENGTH = 32
export const GATE_PROOF_LENGTH = 32
export const GATE_DEFAULT_TIMEOUT_MS = 10_000
export const GATE_MIN_KEY_LENGTH = 16
/** Largest extended handshake we parse: the BEP-10 handshake is a small dict; libtorrent caps it similarly. */
export const MAX_EXTENDED_HANDSHAKE_LENGTH = 64 * 1024
/** Depth cap for bencode nesting (hostile input must not exhaust the stack). */
export const MAX_BENCODE_DEPTH = 64
