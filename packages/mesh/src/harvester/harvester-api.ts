// The harvester's public shapes: its options, its stats and the handle createHarvester returns.
import type { SightingVia, TorrentInput } from '@bbmesh/index'
import type { Clock } from '../clock.js'
import type { BatchedPersisterCounters } from '../pipeline/batched-persister.js'
import type { ConcurrencyLimiterCounters } from '../pipeline/concurrency-limiter.js'
import type { FailureCacheCounters } from '../pipeline/failure-cache.js'
import type { TriageCounters } from '../pipeline/triage.js'
import type { Random } from '../random.js'
import type { HARVESTER_DEFAULTS } from './defaults.js'
import type { FetchStageCounters } from './fetch-stage.js'
import type { NodeBookCounters, ResamplePolicy } from './node-book.js'
import type { SamplerCounters } from './sampler.js'
import type {
  DhtContact,
  HarvestDht,
  HarvestIndex,
  HarvestPool,
  MetadataFetcher,
  OfferHints,
} from './types.js'

type Tunables = {
  -readonly [K in keyof typeof HARVESTER_DEFAULTS]: (typeof HARVESTER_DEFAULTS)[K] extends string
    ? string
    : number
}

export interface HarvesterOptions extends Partial<Omit<Tunables, 'resample'>> {
  dht: HarvestDht
  fetcher: MetadataFetcher
  index: HarvestIndex
  clock?: Clock
  random?: Random
  /**
   * Re-sampling of nodes already sampled once: 'once' (default); 'productive' (opt-in: while the last
   * sample yielded new infohashes or the node stores more than it showed); 'always' (every interval).
   */
  resample?: ResamplePolicy
  /** Record every sighting in the index (default true). */
  recordSightings?: boolean
  /** Told about background failures: a batch that could not be written (it is kept and retried). */
  onError?: (err: unknown) => void
  /** Told about each torrent whose verified metadata was accepted for the index (e.g. to print it). */
  onTorrent?: (torrent: TorrentInput) => void
  /** Told about each batch once the index committed it (what members may now be told we hold). */
  onIngested?: (torrents: readonly TorrentInput[]) => void
  /**
   * A community's pooled crawl (@bbmesh/mesh's SamplePool): DHT sightings and nodes another member
   * owns are handed to it, and metadata a member holds is relayed before any swarm lookup.
   */
  pool?: HarvestPool
  /** With `pool`: how long a node a member owns is skipped before ownership is looked at again. */
  handOverRecheckMs?: number
}

export interface HarvesterStats {
  running: boolean
  nodes: NodeBookCounters
  sampler: SamplerCounters
  observed: { get_peers: number; announce: number; invalid: number }
  /**
   * Queued sightings; dropped: queue full; unrecorded: given up at stop while the store was failing;
   * forwarded: handed to the community member that owns them (with `pool`).
   */
  sightings: { accepted: number; dropped: number; unrecorded: number; forwarded: number }
  /** Infohashes an earlier run sighted without metadata, re-queued at start (not counted as new). */
  resumed: number
  newInfohashes: number
  newInfohashesPerSecond: number
  triage: TriageCounters
  fetch: FetchStageCounters
  failureCache: FailureCacheCounters
  peerSlots: ConcurrencyLimiterCounters
  persist: {
    torrents: BatchedPersisterCounters
    sightings: BatchedPersisterCounters
    /** Swarm-liveness records (absent when the index cannot record them). */
    liveness?: BatchedPersisterCounters
    errors: number
  }
  /** Depth of every queue between stages. */
  queues: { sightings: number; pending: number; inFlight: number; torrents: number; sightingWrites: number }
}

export interface Harvester {
  /** Starts every stage. Idempotent. */
  start(): void
  /**
   * Stops every stage and flushes what was accepted to the index. Idempotent; concurrent calls share
   * it. The DHT, fetcher and index passed in stay open: they belong to the caller.
   */
  stop(): Promise<void>
  stats(): HarvesterStats
  /**
   * Offers an infohash learned elsewhere (another member's samples, a resumed sighting) to triage,
   * as a sighting `via` (default 'gossip') from `from`. False when the queue is full or stopped.
   * A DHT sighting (`via` sample, get_peers, announce) goes to its owner when pooling, unless
   * `hints.pooled` says a member already handed it to us.
   */
  offer(infohash: Uint8Array, via?: SightingVia, from?: string, hints?: OfferHints): boolean
  /** DHT nodes learned elsewhere (a member handing over nodes we own), added to the sampling book. */
  addNodes(nodes: Iterable<DhtContact>): void
}

export interface Sighting {
  infohash: Uint8Array
  via: SightingVia
  from: string
  /** The sampled node to credit when this turns out new. */
  nodeKey?: string
  /** Re-queued from the index at start: already recorded, and not new to us. */
  resumed?: true
  /** Triaged as background work (OfferHints.background). */
  background?: true
}
