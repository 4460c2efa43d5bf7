/** BEP 52 "pieces root": merkle leaves are the SHA-256 of 16 KiB blocks of each file. */
export const BLOCK_SIZE = 16 * 1024
/** BEP 52 "piece length": a power of two and at least 16 KiB. */
export const MIN_PIECE_LENGTH = BLOCK_SIZE
/** Our own ceiling for auto-chosen and requested piece lengths (libtorrent's cap is 128 MiB). */
export const MAX_PIECE_LENGTH = 128 * 1024 * 1024
/** Auto piece length aims for at most this many pieces over the whole payload (our choice). */
export const TARGET_PIECE_COUNT = 1500
/** BEP 52 "meta version". */
export const META_VERSION = 2
/** SHA-256 digest size (BEP 52 hashes) and SHA-1 digest size (BEP 3 pieces). */
export const SHA256_LENGTH = 32
export const SHA1_LENGTH = 20
/** BEP 47: pad files carry `attr: 'p'` and, by convention (reference creator, libtorrent), live under `.pad/<length>`. */
export const PAD_ATTR = 'p'
export const PAD_DIR = '.pad'
/** Size of the reads when streaming files from disk; a multiple of BLOCK_SIZE. */
export const READ_CHUNK = 1024 * 1024
/** Caps for decoding .torrent files from untrusted sources. */
export const MAX_TORRENT_BYTES = 64 * 1024 * 1024
export const MAX_BENCODE_DEPTH = 256
/** Ed25519 (libsodium crypto_sign) sizes. */
export const PUBLIC_KEY_LENGTH = 32
export const SECRET_KEY_LENGTH = 64
export const SIGNATURE_LENGTH = 64
/** Publisher key location under the data dir, and the prefix of its shareable form. */
export const KEYS_DIR = 'keys'
export const PUBLISHER_KEY_FILE = 'publisher.key'
export const SHAREABLE_KEY_PREFIX = 'bbmesh:pub:'
/** Catalog format (docs/PROTOCOL.md "Catalog format"). */
export const CATALOG_FORMAT = 'bbmesh-catalog'
export const CATALOG_VERSION = 1
export const CATALOG_TORRENT_NAME = 'bbmesh-catalog'
export const CATALOG_HEADER_FILE = 'catalog.json'
export const CATALOG_LIBRARY_FILE = 'library.ndjson'
export const CATALOG_SHARD_DIR = 'shards'
/** One block per piece: a changed shard costs one piece, and pads need never be fetched. */
export const CATALOG_PIECE_LENGTH = 16 * 1024
/**
 * Sharded: the prefix grows (one bit at a time) until the average shard holds at most this many
 * entries. A shard costs ~200 bytes of info dict, an entry ~800 bytes, and an update of a fraction f
 * of the library fetches the info dict plus every touched shard: for f = 1% the total is smallest
 * near 5 entries per shard, whatever the library size.
 */
export const CATALOG_SHARD_TARGET_ENTRIES = 8
/** Default cap on the prefix: 2^16 shards keep the info dict near 13 MB. */
export const CATALOG_DEFAULT_MAX_PREFIX_BITS = 16
export const CATALOG_MAX_PREFIX_BITS = 24
/** Caps for reading untrusted catalogs. */
export const CATALOG_MAX_LINE_BYTES = 4 * 1024 * 1024
export const CATALOG_MAX_HEADER_BYTES = 8 * 1024 * 1024
