import type { LivenessInput, SightingInput, SightingVia, TorrentInput } from '@bbmesh/index'
import type { KnownInfohashes } from '../pipeline/triage.js'

/** A UDP (DHT node) or TCP (peer) endpoint. */
export interface Endpoint {
  host: string
  port: number
}

/** A DHT node, with its id when we know it. */
export interface DhtContact extends Endpoint {
  id?: Uint8Array
}

/** An infohash some node asked our nodes about (get_peers) or announced to them (announce_peer). */
export interface Observation {
  infohash: Uint8Array
  via: 'get_peers' | 'announce'
  /** The querying node's UDP address. */
  from: Endpoint
  nodeId?: Uint8Array
  /** announce_peer only: the announcing peer (sender's IP, announced or implied port), tried first. */
  peer?: Endpoint
}

/** A BEP-51 sample_infohashes reply. */
export interface SampleReply {
  /** Seconds before the node will give a fresh sample (BEP 51). */
  interval: number
  /** How many infohashes the node stores in total. */
  num: number
  samples: Uint8Array[]
  nodes: DhtContact[]
}

/**
 * What the harvester needs from the DHT. Written as an interface so that a real node (see
 * adapters/), several node ids, or the simulator's in-memory network can stand behind it.
 */
export interface HarvestDht {
  /** Subscribes to incoming get_peers / announce_peer queries; returns an unsubscribe. */
  observe(listener: (o: Observation) => void): () => void
  /** An iterative find_node walk toward `target`; resolves with the nodes it met. */
  findNodes(target: Uint8Array, signal?: AbortSignal): Promise<DhtContact[]>
  /** One BEP-51 sample_infohashes query to `node`. */
  sample(node: Endpoint, target: Uint8Array, signal?: AbortSignal): Promise<SampleReply>
  /** An iterative get_peers lookup: peers announced for `infohash`. */
  getPeers(infohash: Uint8Array, signal?: AbortSignal): Promise<Endpoint[]>
  /**
   * One get_peers query to one node: the peers it stores for `infohash` (its `values`). Used for
   * the node whose BEP-51 sample listed the infohash, which therefore stores its peers.
   */
  getPeersFrom?(node: Endpoint, infohash: Uint8Array): Promise<Endpoint[]>
  /** The routing table right now (seeds the sampler at start). */
  contacts?(): Iterable<DhtContact>
}

/**
 * BEP-9 metadata from one peer. Must resolve only with the raw info dict whose hash matches
 * `infohash` (SHA-1, or SHA-256 truncated to 20 bytes for v2), and should throw FetchError with a
 * reason otherwise. Must give up when `signal` aborts.
 */
export interface MetadataFetcher {
  fetch(infohash: Uint8Array, peer: Endpoint, signal: AbortSignal): Promise<Uint8Array>
  /** Subscribes to DHT ports peers reveal with PORT (BEP 5), for directed sampling. */
  onDhtPort?(listener: (node: Endpoint) => void): () => void
}

/** What the harvester needs from the index; @bbmesh/index's PooledIndex fits it. */
export interface HarvestIndex extends KnownInfohashes {
  ingest(torrents: TorrentInput[]): Promise<unknown>
  recordSightings(sightings: SightingInput[]): Promise<unknown>
  /**
   * Infohashes sighted earlier but still without metadata, most-sighted first (@bbmesh/index's
   * PooledIndex has it). When present, a starting harvester re-queues up to `resumePending` of them.
   */
  pendingSightings?(limit: number): Promise<readonly PendingInfohash[]>
  /**
   * Swarms seen alive: fetched infohashes and how many peers their lookups found (@bbmesh/index's
   * PooledIndex has it; batches of at most MAX_LIVENESS_BATCH). When absent, nothing is recorded.
   */
  recordLiveness?(entries: LivenessInput[]): Promise<unknown>
}

/** A sighting from an earlier run that never got its metadata. */
export interface PendingInfohash {
  infohash: Uint8Array
  via: SightingVia
  fromNode: string | null
}

/** A DHT sighting as the pool hands it between members. */
export interface PoolSighting {
  infohash: Uint8Array
  via: 'sample' | 'get_peers' | 'announce'
  /** The node whose BEP-51 sample listed it. */
  storer?: Endpoint
  /** The peer that announced it. */
  peer?: Endpoint
}

/**
 * A community's pooled crawl as the harvester sees it (@bbmesh/mesh's SamplePool): who owns a
 * sighting or a node, and metadata members already hold. Every call is synchronous or bounded.
 */
export interface HarvestPool {
  /** True when another member owns the sighting and it was handed over: it is not triaged here. */
  forward(s: PoolSighting): boolean
  /** True when another member owns the node (it was handed over once): the sampler skips it for now. */
  forwardNode(node: DhtContact): boolean
  /** The verified info dict from a member that holds it, tried before any swarm lookup. */
  fetch(infohash: Uint8Array): Promise<Uint8Array | undefined>
  /** A find_node target in the region we own, so our walks deep-crawl it (default: anywhere). */
  walkTarget?(random: () => number): Uint8Array
  /** Crawlers pooling now, us included: each walks that much less often (default 1). */
  crawlers?(): number
  /**
   * How a triaged infohash ended: its metadata fetched (true) or given up on (false). The pool
   * judges the members that handed it over by it (a member whose sightings never fetch is lying).
   */
  settled?(infohash: Uint8Array, ok: boolean): void
}

/** Hints that travel with an offered infohash. */
export interface OfferHints {
  storer?: Endpoint
  peer?: Endpoint
  /** A member handed it to us as its owner: triage it here, never forward it again. */
  pooled?: boolean
  /** Fetch it only when nothing sighted on the DHT is waiting (a member's copy to replicate). */
  background?: boolean
}
