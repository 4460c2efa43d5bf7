// Protocol numbers and safety caps, each with the spec it comes from.

/** BEP 5: bucket size. Mainline uses 8 (libtorrent, uTorrent); bittorrent-dht defaults to 20. */
export const K = 8
/** BEP 5: node ids and infohashes are 160-bit SHA-1 values. */
export const ID_LENGTH = 20
/** BEP 5: compact node info is 26 bytes (20-byte id, 4-byte IPv4, 2-byte port). */
export const COMPACT_NODE_LENGTH = 26
/** BEP 5: compact peer info is 6 bytes (IPv4 + port). */
export const COMPACT_PEER_LENGTH = 6

/** KRPC error codes, BEP 5 "Errors". */
export const ERR_GENERIC = 201
export const ERR_SERVER = 202
export const ERR_PROTOCOL = 203
export const ERR_METHOD_UNKNOWN = 204
/** BEP 44 "Errors": put payload (bencoded v) larger than 1000 bytes. */
export const ERR_MESSAGE_TOO_BIG = 205
/** BEP 44: ed25519 signature did not verify. */
export const ERR_INVALID_SIGNATURE = 206
/** BEP 44: salt longer than 64 bytes. */
export const ERR_SALT_TOO_BIG = 207
/** BEP 44: cas did not match the stored seq. */
export const ERR_CAS_MISMATCH = 301
/** BEP 44: seq lower than (or equal with another value than) the stored one. */
export const ERR_SEQ_TOO_LOW = 302

/** BEP 44: v, bencoded, is at most 1000 bytes. */
export const MAX_ITEM_VALUE_BYTES = 1000
/** BEP 44: salt is at most 64 bytes. */
export const MAX_SALT_BYTES = 64
/** BEP 44: stored items expire unless re-put; the BEP suggests 2 hours. */
export const ITEM_TTL_MS = 2 * 60 * 60 * 1000
/** ed25519 sizes (BEP 44). */
export const ED25519_PUBLIC_KEY_BYTES = 32
export const ED25519_SIGNATURE_BYTES = 64

/** BEP 5: announced peers are dropped after 30 minutes unless re-announced. */
export const PEER_TTL_MS = 30 * 60 * 1000
/** BEP 5: tokens are accepted for up to 10 minutes; we rotate the secret every 5. */
export const TOKEN_ROTATE_MS = 5 * 60 * 1000

/** BEP 51: interval is 0..21600 seconds; we precompute one sample per interval. */
export const SAMPLE_MAX_INTERVAL_S = 21600
export const SAMPLE_DEFAULT_INTERVAL_S = 300
/** BEP 51: samples must fit in one datagram next to `nodes`; 40 * 20 bytes = 800 bytes. */
export const MAX_SAMPLES = 40

/** One reply must fit one datagram on a 1500-byte MTU path (1472 bytes of UDP payload). */
export const MAX_REPLY_BYTES = 1400
/** get_peers replies list at most this many peers (100 * 8 bytes bencoded = 800 bytes). */
export const MAX_PEERS_PER_REPLY = 100
/** Larger incoming datagrams are dropped before decoding (a BEP 44 put is < 1200 bytes). */
export const MAX_DATAGRAM_BYTES = 1500
/**
 * A reply from a node we are waiting on may be larger: stock bittorrent-dht answers find_node and
 * get_peers with its whole routing table (k-bucket `closest()` without a limit), past 1500 bytes
 * once it knows ~57 contacts. Such replies are accepted up to the largest UDP payload, only from
 * an address with a query in flight, and their `nodes` are cut to the closest few (BEP 5 asks for
 * the K closest; the list is sorted by distance).
 */
export const MAX_RESPONSE_DATAGRAM_BYTES = 65_507
/** Compact node entries kept from one reply (BEP 5: 26 bytes each). */
export const MAX_NODES_PER_RESPONSE = 16
/** Peer entries kept from one get_peers reply. */
export const MAX_VALUES_PER_RESPONSE = 200
/** Nesting deeper than this in a KRPC message is malformed. */
export const MAX_BENCODE_DEPTH = 16

/** KRPC query timeout (k-rpc-socket uses 2 s). */
export const QUERY_TIMEOUT_MS = 2000
/**
 * A contact not heard from for this long is pinged before a newcomer may replace it in a full
 * bucket. BEP 5 says 15 minutes ("questionable"); bittorrent-dht pings after 10 s, kept as the default.
 */
export const QUESTIONABLE_AFTER_MS = 10_000
export const BEP5_QUESTIONABLE_AFTER_MS = 15 * 60_000
/** Lookups keep at most this many queries in flight (k-rpc's default is 16). */
export const LOOKUP_CONCURRENCY = 16

/** Polite defaults for the public DHT. */
export const DEFAULT_INBOUND_QUERIES_PER_IP_PER_S = 50
export const DEFAULT_INBOUND_BURST_PER_IP = 100
export const DEFAULT_RATE_LIMIT_TRACKED_IPS = 10_000
export const DEFAULT_OUTBOUND_QUERIES_PER_S = 500
export const DEFAULT_MAX_PENDING_QUERIES = 1024
export const DEFAULT_MAX_INFOHASHES = 10_000
export const DEFAULT_MAX_PEERS_PER_INFOHASH = 500
export const DEFAULT_MAX_ITEMS = 1000

/** Public routers used when `bootstrap` is not given (never in tests). */
export const DEFAULT_BOOTSTRAP = [
  'router.bittorrent.com:6881',
  'router.utorrent.com:6881',
  'dht.transmissionbt.com:6881',
]
