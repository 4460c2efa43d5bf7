// `--community`: the testnet's K harvesters as members of one fresh community. Each member's mesh runs
// on its harvester's first DHT node with schedules fit for a run of a minute, carrying the harvester's
// pool and relay when it pools; the tracker reports when every member first listed every other one
// (membership convergence), what gossip cost, and what pooling moved.
import { randomBytes } from 'node:crypto'
import type { DhtNode } from '@bbmesh/dht'
import {
  deriveCommunityKeys,
  meshDht,
  startMesh,
  type CommunityMesh,
  type MeshOptions,
  type MetadataRelay,
  type SamplePool,
} from '@bbmesh/mesh'
import { LOOPBACK } from './constants.js'

/** Short schedules: a testnet lives a minute, not a month. */
export const TESTNET_MESH_TUNING: Partial<MeshOptions> = {
  gossipIntervalMs: 500,
  goneAfterMs: 30_000,
  gateTimeoutMs: 5_000,
  rendezvous: { announceIntervalMs: 20_000, lookupMinMs: 500 },
}

export interface CommunitySummary {
  members: number
  /** ms from the first mesh start until every member listed all others; null if never. */
  convergedMs: number | null
  /** Mean over members: bb_members messages and bytes sent, rendezvous announces and lookups. */
  perMember: { messagesOut: number; bytesOut: number; announces: number; lookups: number }
  gateFailures: number
  /** Summed over members, when they pool. */
  pool?: PoolSummary
}

export interface PoolSummary {
  /** Sightings handed to their owner, and DHT nodes handed to theirs. */
  forwarded: number
  nodesForwarded: number
  /** Infohashes members told each other they hold. */
  haveMessages: number
  /** Info dicts taken from members (verified), asks that found none, dicts that failed the hash. */
  relayedIn: number
  relayFailures: number
  badHash: number
  /** bb_relay bytes sent, mean per member. */
  relayBytesPerMember: number
  /** Strikes and bans members gave each other (pool/standing.ts): honest members earn none. */
  strikes: number
  membersBanned: number
}

/** A member: its DHT node, and its harvester's pool and relay when it pools. */
export interface CommunityMember {
  dht: DhtNode
  pool?: SamplePool
  relay?: MetadataRelay
}

export interface TestnetCommunity {
  readonly meshes: readonly CommunityMesh[]
  /** Checks convergence now (call it as often as coverage is sampled). */
  sample(): void
  summary(): CommunitySummary
  close(): Promise<void>
}

export async function startCommunity(members: readonly CommunityMember[]): Promise<TestnetCommunity> {
  const keys = deriveCommunityKeys(randomBytes(32))
  const t0 = Date.now()
  const meshes: CommunityMesh[] = []
  try {
    for (const { dht, pool, relay } of members)
      meshes.push(
        await startMesh({
          keys,
          dht: meshDht(dht),
          listen: { host: LOOPBACK },
          ...TESTNET_MESH_TUNING,
          registerExtensions: (r) => {
            if (relay) r.register(relay.definition())
            if (pool) r.register(pool.definition())
          },
        }),
      )
  } catch (err) {
    await Promise.all(meshes.map((m) => m.close()))
    throw err
  }
  let convergedMs: number | null = null
  const sample = (): void => {
    if (convergedMs !== null) return
    if (meshes.every((m) => m.members().length >= meshes.length - 1)) convergedMs = Date.now() - t0
  }
  return {
    meshes,
    sample,
    summary() {
      sample()
      const stats = meshes.map((m) => m.stats())
      const mean = (f: (s: (typeof stats)[number]) => number): number =>
        Math.round(stats.reduce((n, s) => n + f(s), 0) / Math.max(1, stats.length))
      return {
        members: meshes.length,
        convergedMs,
        perMember: {
          messagesOut: mean((s) => s.messagesOut),
          bytesOut: mean((s) => s.bytesOut),
          announces: mean((s) => s.announces),
          lookups: mean((s) => s.lookups),
        },
        gateFailures: stats.reduce((n, s) => n + s.gateFailures, 0),
        ...poolSummary(members),
      }
    },
    close: async () => {
      await Promise.all(meshes.map((m) => m.close()))
    },
  }
}

type Pooled = Pick<CommunityMember, 'pool' | 'relay'>

/** What pooling moved, summed over the members that pool (nothing when none does). */
export function poolSummary(members: readonly Pooled[]): { pool?: PoolSummary } {
  const pooled = members.filter((m) => m.pool && m.relay)
  if (pooled.length === 0) return {}
  const sum = (f: (m: Pooled) => number): number => pooled.reduce((n, m) => n + f(m), 0)
  return {
    pool: {
      forwarded: sum((m) => m.pool!.counters.forwarded),
      nodesForwarded: sum((m) => m.pool!.counters.nodesForwarded),
      haveMessages: sum((m) => m.pool!.counters.haveOut),
      relayedIn: sum((m) => m.relay!.counters.relayedIn),
      relayFailures: sum((m) => m.relay!.counters.relayFailures),
      badHash: sum((m) => m.relay!.counters.badHash),
      relayBytesPerMember: Math.round(sum((m) => m.relay!.counters.bytesOut) / pooled.length),
      strikes: sum((m) => m.pool!.standing.counters.strikes),
      membersBanned: sum((m) => m.pool!.standing.counters.banned),
    },
  }
}
