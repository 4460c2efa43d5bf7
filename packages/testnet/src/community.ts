// `--community`: the testnet's K harvesters as members of one fresh community. Each member's mesh runs
// on its harvester's first DHT node with schedules fit for a run of a minute; the tracker reports when
// every member first listed every other one (membership convergence) and what gossip cost.
import { randomBytes } from 'node:crypto'
import type { DhtNode } from '@bbmesh/dht'
import { deriveCommunityKeys, meshDht, startMesh, type CommunityMesh, type MeshOptions } from '@bbmesh/mesh'
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
}

export interface TestnetCommunity {
  readonly meshes: readonly CommunityMesh[]
  /** Checks convergence now (call it as often as coverage is sampled). */
  sample(): void
  summary(): CommunitySummary
  close(): Promise<void>
}

export async function startCommunity(dhts: readonly DhtNode[]): Promise<TestnetCommunity> {
  const keys = deriveCommunityKeys(randomBytes(32))
  const t0 = Date.now()
  const meshes: CommunityMesh[] = []
  try {
    for (const dht of dhts)
      meshes.push(
        await startMesh({ keys, dht: meshDht(dht), listen: { host: LOOPBACK }, ...TESTNET_MESH_TUNING }),
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
      }
    },
    close: async () => {
      await Promise.all(meshes.map((m) => m.close()))
    },
  }
}
