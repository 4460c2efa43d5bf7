// Two real members of one community on 127.0.0.1 for the forgery file: each a DhtNode joined to a
// loopback DHT, a CommunityMesh and a MetadataRelay on the mesh's links. The liar's relay answers
// every want with a dict of the right size and the wrong content. `close` ends meshes and nodes.
import { randomBytes } from 'node:crypto'
import { DhtNode } from '@bbmesh/dht'
import {
  CommunityMesh,
  MetadataRelay,
  deriveCommunityKeys,
  meshDht,
  type CommunityKeys,
  type MeshOptions,
} from '@bbmesh/mesh'

/** Schedules short enough for a test (as mesh/test/membership/harness.ts). */
const FAST: Partial<MeshOptions> = {
  gossipIntervalMs: 200,
  goneAfterMs: 6_000,
  gateTimeoutMs: 3_000,
  rendezvous: { announceIntervalMs: 4_000, lookupMinMs: 300 },
}

export interface Member {
  dht: DhtNode
  mesh: CommunityMesh
  relay: MetadataRelay
}

export class Community {
  readonly keys: CommunityKeys = deriveCommunityKeys(randomBytes(32))
  readonly all: Member[] = []

  async add(
    bootstrap: string[],
    lookup: (ih: Uint8Array) => Promise<Uint8Array | undefined>,
    extra: Partial<MeshOptions> = {},
  ): Promise<Member> {
    const dht = new DhtNode({ bootstrap, rateLimit: false, outboundQueriesPerSecond: false })
    await dht.listen(0, '127.0.0.1')
    await dht.bootstrap()
    const relay = new MetadataRelay({ lookup, timeoutMs: 5_000 })
    const mesh = new CommunityMesh({
      keys: this.keys,
      dht: meshDht(dht),
      ...FAST,
      ...extra,
      registerExtensions: (r) => r.register(relay.definition()),
    })
    await mesh.start()
    const m = { dht, mesh, relay }
    this.all.push(m)
    return m
  }

  async close(): Promise<void> {
    await Promise.all(this.all.splice(0).map(async (m) => (await m.mesh.close(), await m.dht.destroy())))
  }
}

export async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
