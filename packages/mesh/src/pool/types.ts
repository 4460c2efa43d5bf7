// The pool's public shapes: its options, its counters and where what members send goes.
import type { Clock } from '../clock.js'
import type { Harvester } from '../harvester/harvester-api.js'
import type { MetadataRelay } from '../relay/relay.js'
import type { StoredSample } from '../stored/stored-sample.js'
import type { StandingOptions } from './standing.js'

export type ReplicatePolicy = 'all' | 'own'

/** Where what members send goes: the harvester. */
export type PoolTarget = Pick<Harvester, 'offer' | 'addNodes'>

export interface SamplePoolOptions {
  /** Our node id (the harvester's DHT node id): the keyspace is split by it. */
  nodeId: Uint8Array
  /** The metadata relay registered on the same links: how held metadata is taken from members. */
  relay: MetadataRelay
  /** 'all' (default): take every torrent any member holds; 'own': keep only what we fetched. */
  replicate?: ReplicatePolicy
  clock?: Clock
  /** Batching delay of outgoing sightings, nodes and haves. Default 250 ms. */
  flushMs?: number
  /**
   * Partition ids derived from `nodeId` (pool/ownership.ts): more, evener regions. Default 32: the
   * largest of 8 members' regions is then about 1.25 times the mean (one id each: about twice).
   */
  points?: number
  /** Infohashes each member's have filter is sized for (about 1.8 bytes each). Default 1,000,000. */
  haveCapacity?: number
  /**
   * Also ask members none of which said it holds the infohash (default false): they may have
   * indexed it before we pooled with them, which have deltas do not tell (no catch-up sync yet).
   * Costs a round trip to up to three members per new infohash.
   */
  askUnknown?: boolean
  /**
   * The trusted full sample (stored/stored-sample.ts) on the same links: when a member links, we read
   * its DHT node's whole store and triage the infohashes we own (its storer hint included); the rest
   * their owners read themselves.
   */
  stored?: Pick<StoredSample, 'collect'>
  /** When a member that forwards junk, floods or hands over unfetchable sightings is demoted and banned. */
  standing?: StandingOptions
}

export interface PoolCounters {
  /** Sightings we own (triaged here) and sightings handed to their owner. */
  owned: number
  forwarded: number
  /** Sightings members handed to us. */
  received: number
  nodesForwarded: number
  nodesReceived: number
  /** Infohashes we told members we hold, and ones they told us of. */
  haveOut: number
  haveIn: number
  /** have entries offered to the harvester for a relay fetch (replicate all). */
  replicated: number
  /** Fetches asked of members that said they hold it; the relay's own counters say how they went. */
  relayAsks: number
  messagesIn: number
  messagesOut: number
  floodDropped: number
  outDropped: number
  /** Infohashes read from members' full stores (bb_stored), and those of them we own and triaged. */
  storedRead: number
  storedOwned: number
}
