// Options and defaults of runSimulation.
import type { HarvesterOptions } from '@bbmesh/mesh'
import type { JoinMode } from './network.js'
import type { PlacementMode } from './placement.js'
import type { SimEvent } from './events.js'

export type SimTuning = Omit<HarvesterOptions, 'dht' | 'fetcher' | 'index'>

/**
 * Harvester settings for a simulation: sampling and walks fast enough to cover thousands of nodes,
 * re-sampling nodes that keep yielding (a sim node may store more infohashes than one BEP 51 reply
 * carries) but each at most once a minute, a node book big enough for the whole network. One pass
 * already sights nearly everything (an infohash on 8 nodes, each returning half of what it holds, is
 * missed with probability 0.5^8); faster re-sampling only re-records known sightings, which cost
 * simulated time nothing and wall time a lot (a third of the CPU at 10,000 nodes with 5 s).
 */
export const SIM_HARVESTER_TUNING: SimTuning = {
  discoveryIntervalMs: 200,
  samplesPerSecond: 400,
  sampleConcurrency: 64,
  sampleTimeoutMs: 2_000,
  resample: 'productive',
  minSampleIntervalS: 60,
  maxNodes: 100_000,
  // 128 queries in flight per harvester node are the real cap: 64 lookups fill them (fetch rate
  // within 2% of 256 at 10,000 nodes) and every finished query wakes each waiting lookup in k-rpc.
  fetchWorkers: 64,
  lookupTimeoutMs: 10_000,
  peerTimeoutMs: 3_000,
  backoffBaseMs: 300,
  backoffMaxMs: 2_000,
  failureBaseTtlMs: 1_000,
  failureMaxTtlMs: 5_000,
  persistFlushMs: 200,
  maxPending: 100_000,
  sightingQueue: 50_000,
}

export interface SimOptions {
  /** DHT nodes (default 1,000). */
  nodes?: number
  /** Infohashes stored in the DHT (default 2,000). */
  torrents?: number
  /** Simulated seeds (the first `seeds` DHT nodes double as peers); default one per 50 torrents. */
  seeds?: number
  /** Harvesters (default 1): independent, or members of one community with `community`. */
  harvesters?: number
  /**
   * Make the harvesters one community that pools the crawl (bb_pool and bb_relay over in-memory
   * member links on the virtual clock); default independent.
   */
  community?: boolean
  /** With `community`: 'all' (default) every member takes every torrent by relay; 'own' keeps its own. */
  replicate?: 'all' | 'own'
  /** With `community`: one-way latency of a member link, ms (default [20, 80]). */
  memberLatencyMs?: [number, number]
  harvesterNodeIds?: number
  /**
   * Queries in flight per harvester DHT node across all its lookups (default 128). @bbmesh/dht's
   * default of 16 is shared by every concurrent lookup, which caps metadata fetching at a few per second.
   */
  harvesterConcurrency?: number
  /** Seeds every random stream (ids, torrents, latency/loss draws, harvesters, fetch outcomes). Default 1. */
  seed?: number
  /** One-way datagram latency, ms (default [5, 50]). */
  latencyMs?: number | [number, number]
  /** KRPC query timeout of every node, ms (default 8 × the largest one-way latency, at least 200). */
  queryTimeoutMs?: number
  /** Datagram loss (default 0.01). */
  loss?: number
  /** 'lookup': every node joins by a real find_node walk; 'direct': tables filled via addNode. Default: direct above 2,000 nodes. */
  join?: JoinMode
  /**
   * 'announce': real announces (lookup + announce_peer); 'direct': announce_peer to the K closest;
   * 'store': straight into the K closest nodes' peer stores. Default: store above 2,000 nodes.
   */
  placement?: PlacementMode
  /** Torrents being placed at once (default 32). */
  placementConcurrency?: number
  /** BEP 51 interval the simulated nodes advertise, s (default 5). */
  sampleIntervalS?: number
  /**
   * BEP 9 over in-memory wires: one-way latency of a peer connection, drawn per connection, ms (default
   * [25, 250]); a fetch costs about 3 round trips (connect, handshakes, metadata pieces).
   */
  wireLatencyMs?: number | [number, number]
  /** Share of peer connections that go to a dead peer: the dial hangs until the fetch times out (default 0.05). */
  wireFailureRate?: number
  /** Longest harvest, virtual ms (default 120 s). */
  durationMs?: number
  /** Longest harvest in wall-clock ms, whatever virtual time it reached (default: no limit). */
  wallLimitMs?: number
  /** Virtual ms between coverage samples: the resolution of the times to coverage (default 1 s). */
  sampleMs?: number
  /** Stop once the union holds metadata for this share (default 1). */
  stopAtMetadataCoverage?: number
  /** Virtual ms between 'stats' events (default 5 s). */
  statsIntervalMs?: number
  tuning?: SimTuning
  /** For the real-DHT estimate: node count (default 20 M) and polite query rate (default 20/s). */
  realNodes?: number
  politeQueriesPerSecond?: number
  signal?: AbortSignal
  onEvent?: (e: SimEvent) => void
}
