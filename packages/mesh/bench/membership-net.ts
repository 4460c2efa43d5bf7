// The loopback network of the membership bench: stock bittorrent-dht 11 nodes and @bbmesh/dht nodes
// on 127.0.0.1 (port 0) as the substrate, then members (a DhtNode bootstrapped from ONE stock node,
// plus a CommunityMesh). Node ids and the community key come from the seed. `destroy` closes all.
import { createHash } from 'node:crypto'
import DHT from 'bittorrent-dht'
import { DhtNode } from '@bbmesh/dht'
import { meshDht } from '../src/adapters/mesh-dht.js'
import { deriveCommunityKeys, type CommunityKeys } from '../src/community/derive.js'
import { CommunityMesh } from '../src/membership/mesh.js'
import type { MeshOptions } from '../src/membership/types.js'

/** 20 (or 32) deterministic bytes for `label` under `seed`. */
export function seeded(seed: number, label: string, bytes = 20): Buffer {
  return createHash('sha256').update(`bbmesh-bench-membership:${seed}:${label}`).digest().subarray(0, bytes)
}

export interface BenchMember {
  dht: DhtNode
  mesh: CommunityMesh
  id: string
}

export interface BenchNet {
  stockAddrs: string[]
  members: BenchMember[]
  /** Creates (not starts) a member whose DHT node bootstrapped from stock node `i % stock`. */
  addMember(i: number, keys: CommunityKeys, tuning: Partial<MeshOptions>): Promise<BenchMember>
  destroy(): Promise<void>
}

async function stockNode(bootstrap: string[] | false, nodeId: Buffer): Promise<DHT> {
  const d = new DHT({ bootstrap, host: false, nodeId })
  await new Promise<void>((resolve) => {
    let n = 0
    const done = (): void => void (++n === 2 && resolve())
    d.once('ready', done)
    d.listen(0, '127.0.0.1', done)
  })
  return d
}

// Every node shares 127.0.0.1, so the per-IP limits are off (as in the membership tests).
const ourOpts = { rateLimit: false, outboundQueriesPerSecond: false } as const

export async function createBenchNet(opts: { seed: number; stock: number; ours: number }): Promise<BenchNet> {
  const stocks: DHT[] = []
  const ours: DhtNode[] = []
  const members: BenchMember[] = []
  const net: BenchNet = {
    stockAddrs: [],
    members,
    async addMember(i, keys, tuning) {
      const bootstrap = [net.stockAddrs[i % net.stockAddrs.length]!]
      const dht = new DhtNode({ ...ourOpts, bootstrap, nodeId: seeded(opts.seed, `member-${i}`) })
      await dht.listen(0, '127.0.0.1')
      await dht.bootstrap()
      const mesh = new CommunityMesh({ keys, dht: meshDht(dht), ...tuning })
      const m = { dht, mesh, id: dht.nodeIdHex }
      members.push(m)
      return m
    },
    async destroy() {
      await Promise.all(members.splice(0).map(async (m) => (await m.mesh.close(), await m.dht.destroy())))
      await Promise.all(ours.splice(0).map((d) => d.destroy()))
      await Promise.all(stocks.splice(0).map((s) => new Promise<void>((r) => s.destroy(() => r()))))
    },
  }
  try {
    const first = await stockNode(false, seeded(opts.seed, 'stock-0'))
    stocks.push(first)
    const bootstrap = [`127.0.0.1:${first.address().port}`]
    for (let i = 1; i < opts.stock; i++)
      stocks.push(await stockNode(bootstrap, seeded(opts.seed, `stock-${i}`)))
    net.stockAddrs.push(...stocks.map((s) => `127.0.0.1:${s.address().port}`))
    for (let i = 0; i < opts.ours; i++) {
      const d = new DhtNode({ ...ourOpts, bootstrap, nodeId: seeded(opts.seed, `ours-${i}`) })
      ours.push(d)
      await d.listen(0, '127.0.0.1')
      await d.bootstrap()
    }
  } catch (err) {
    await net.destroy()
    throw err
  }
  return net
}

/** Whether every member's table lists exactly the other members. */
export function converged(group: readonly BenchMember[]): boolean {
  const ids = new Set(group.map((m) => m.id))
  return group.every((m) => {
    const seen = m.mesh.members().filter((x) => ids.has(x.nodeId))
    return seen.length === group.length - 1
  })
}

export function communityKeys(seed: number, size: number): CommunityKeys {
  return deriveCommunityKeys(seeded(seed, `community-${size}`, 32))
}
