// A testnet or simulator harvester as a pooling member: a MetadataRelay serving what its index
// committed, and a SamplePool partitioning by its first DHT node's id. One recipe for both settings,
// so the loopback testnet and the simulator pool the same way.
import type { PooledIndex } from '@bbmesh/index'
import {
  MetadataRelay,
  SamplePool,
  type Clock,
  type HarvesterOptions,
  type ReplicatePolicy,
} from '@bbmesh/mesh'

export interface PoolMember {
  pool: SamplePool
  relay: MetadataRelay
}

export interface PoolMemberOptions {
  index: PooledIndex
  /** The harvester's first DHT node id, hex: the id it partitions by. */
  nodeIdHex: string
  replicate?: ReplicatePolicy
  clock?: Clock
  /** Batching delay of bb_pool messages (the pool's default when absent). */
  flushMs?: number
}

export function createPoolMember(o: PoolMemberOptions): PoolMember {
  const relay = new MetadataRelay({
    lookup: (ih) => o.index.metadataFor(ih),
    timeoutMs: 5_000,
    ...(o.clock && { clock: o.clock }),
  })
  const pool = new SamplePool({
    nodeId: Buffer.from(o.nodeIdHex, 'hex'),
    relay,
    haveCapacity: 200_000,
    ...(o.clock && { clock: o.clock }),
    ...(o.flushMs !== undefined && { flushMs: o.flushMs }),
    ...(o.replicate !== undefined && { replicate: o.replicate }),
  })
  return { pool, relay }
}

/** The harvester options that plug a member in: members are told of each batch once committed. */
export function poolHarvesterOptions(m: PoolMember): Pick<HarvesterOptions, 'pool' | 'onIngested'> {
  return { pool: m.pool, onIngested: (ts) => m.pool.announceTorrents(ts) }
}
