// Defaults of the loopback testnet. Sizes are small so a run fits a loaded laptop; the bench and
// `bbmesh testnet` pass bigger ones.

/** Every socket of the testnet binds here, on port 0. Never a public address (HELPERS-COMMON). */
export const LOOPBACK = '127.0.0.1'

export const DEFAULT_NODES = 30
/** Share of the DHT nodes that are stock, unmodified bittorrent-dht nodes (the non-cooperating public). */
export const DEFAULT_STOCK_SHARE = 1 / 3
export const DEFAULT_TORRENTS = 30
export const DEFAULT_SEEDS = 6
/** Share of the seeds that are stock bittorrent-protocol + ut_metadata peers. */
export const DEFAULT_STOCK_SEED_SHARE = 1 / 3
export const DEFAULT_SEED = 1
/** Nodes joining at the same time while the network is built (bounds the UDP burst). */
export const DEFAULT_JOIN_BATCH = 10
/** announce_peer operations in flight while seeds announce. */
export const DEFAULT_ANNOUNCE_CONCURRENCY = 32

/** Share of generated torrents per version; the rest are v1. BEP 52 v2 and hybrid come from @bbmesh/catalog. */
export const DEFAULT_V2_SHARE = 0.25
export const DEFAULT_HYBRID_SHARE = 0.25
/** Generated payload: 1..MAX_FILES files of MIN..MAX bytes each. Small: only metadata travels. */
export const MAX_FILES = 4
export const MIN_FILE_BYTES = 1
export const MAX_FILE_BYTES = 48 * 1024

/** Churn: one node leaves (and a new one joins) every this many ms, when enabled. */
export const DEFAULT_CHURN_INTERVAL_MS = 2_000

/** BEP 5: a DHT infohash (and a node id) is 20 bytes; v2 infohashes travel truncated (BEP 52). */
export const INFOHASH_BYTES = 20

/** BEP 51 `interval` our testnet nodes advertise: a run lasts about a minute, so seconds, not minutes. */
export const DEFAULT_SAMPLE_INTERVAL_S = 5
