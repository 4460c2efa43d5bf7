/**
 * Defaults for a harvester on the public DHT: polite rates, bounded memory. Tests and the testnet
 * pass faster values.
 */
export const HARVESTER_DEFAULTS = {
  source: 'dht',
  /** One random find_node walk every 10 s. */
  discoveryIntervalMs: 10_000,
  walkTimeoutMs: 30_000,
  /** BEP 51 sampling: at most 10 queries/s, 16 in flight. */
  samplesPerSecond: 10,
  sampleConcurrency: 16,
  sampleTimeoutMs: 5_000,
  sampleRetryMs: 60_000,
  resample: 'once',
  /** Never sample a node more often than every 5 min, whatever its `interval` says… */
  minSampleIntervalS: 300,
  /** …and never wait longer than the BEP 51 maximum (6 h). */
  maxSampleIntervalS: 21_600,
  maxSampleFailures: 2,
  /** A node forgotten after failed samples is not re-added for 1 h (doubling per repeat, up to a day). */
  unresponsiveNodeTtlMs: 3_600_000,
  maxNodes: 20_000,
  sightingQueue: 10_000,
  /** At start, re-queue up to this many infohashes sighted by an earlier run but never fetched. */
  resumePending: 10_000,
  maxPending: 20_000,
  bloomItems: 2_000_000,
  bloomFalsePositiveRate: 1e-4,
  fetchWorkers: 32,
  perPeerConnections: 2,
  peersPerAttempt: 8,
  fetchAttempts: 3,
  backoffBaseMs: 5_000,
  backoffMaxMs: 120_000,
  lookupTimeoutMs: 20_000,
  peerTimeoutMs: 10_000,
  failureCacheEntries: 200_000,
  /** A dead infohash is left alone for 10 min, doubling per failure up to a day. */
  failureBaseTtlMs: 10 * 60_000,
  failureMaxTtlMs: 24 * 3_600_000,
  persistBatch: 200,
  persistFlushMs: 2_000,
} as const
