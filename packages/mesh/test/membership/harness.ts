// Members for membership tests: each a real @bbmesh/dht node on 127.0.0.1 bootstrapped from ONE stock
// bittorrent-dht node, plus a CommunityMesh with short schedules. `close` ends every mesh and node.
import { randomBytes } from 'node:crypto'
import { DhtNode } from '@bbmesh/dht'
import { meshDht } from '../../src/adapters/mesh-dht.js'
import { deriveCommunityKeys, type CommunityKeys } from '../../src/community/derive.js'
import { CommunityMesh } from '../../src/membership/mesh.js'
import type { MeshOptions } from '../../src/membership/types.js'

/** Schedules short enough for a test, long enough not to flood a 2-core machine. */
export const FAST: Partial<MeshOptions> = {
  gossipIntervalMs: 200,
  goneAfterMs: 6_000,
  gateTimeoutMs: 3_000,
  rendezvous: { announceIntervalMs: 4_000, lookupMinMs: 300 },
}

export interface TestMember {
  dht: DhtNode
  mesh: CommunityMesh
  id: string
}

export class Members {
  readonly all: TestMember[] = []

  async add(keys: CommunityKeys, bootstrap: string, extra: Partial<MeshOptions> = {}): Promise<TestMember> {
    const dht = new DhtNode({ bootstrap: [bootstrap], rateLimit: false, outboundQueriesPerSecond: false })
    await dht.listen(0, '127.0.0.1')
    await dht.bootstrap()
    const mesh = new CommunityMesh({ keys, dht: meshDht(dht), ...FAST, ...extra })
    await mesh.start()
    const m = { dht, mesh, id: dht.nodeIdHex }
    this.all.push(m)
    return m
  }

  async remove(m: TestMember): Promise<void> {
    this.all.splice(this.all.indexOf(m), 1)
    await m.mesh.close()
    await m.dht.destroy()
  }

  async close(): Promise<void> {
    await Promise.all(this.all.splice(0).map(async (m) => (await m.mesh.close(), await m.dht.destroy())))
  }
}

export const newKeys = (): CommunityKeys => deriveCommunityKeys(randomBytes(32))

/** Whether every member's table lists exactly the other members of `group`. */
export function converged(group: TestMember[]): boolean {
  return group.every((m) => {
    const seen = new Set(m.mesh.members().map((x) => x.nodeId))
    return seen.size === group.length - 1 && group.every((o) => o === m || seen.has(o.id))
  })
}
