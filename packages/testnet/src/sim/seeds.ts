// The simulation's seeds as real BEP 9 servers: seed i (sim node i) runs a @bbmesh/wire
// MetadataServer holding the info dicts of its torrents, reachable on the in-memory wire network at
// its node's address and SIM_PEER_PORT, like the loopback testnet's seeds (seeds.ts) are over TCP.
import { MetadataServer, MetadataStore } from '@bbmesh/wire'
import type { TestnetTorrent } from '../content.js'
import { SIM_WIRE_LIMITS, type SimWireNetwork } from './wires.js'

/** Connections a seed holds at once: every harvester's fetch workers may dial the same seed. */
const SEED_MAX_CONNECTIONS = 4_096

export interface SimSeeds {
  readonly servers: readonly MetadataServer[]
  /** Closes every seed's connections. Idempotent. */
  close(): Promise<void>
}

/** One MetadataServer per seed that holds a torrent; `address(i)` is seed i's host. */
export function startSimSeeds(
  wires: SimWireNetwork,
  torrents: readonly TestnetTorrent[],
  address: (seed: number) => string,
  port: number,
): SimSeeds {
  const bySeed = new Map<number, TestnetTorrent[]>()
  for (const t of torrents) {
    const list = bySeed.get(t.seed)
    if (list) list.push(t)
    else bySeed.set(t.seed, [t])
  }
  const servers: MetadataServer[] = []
  for (const [seed, held] of [...bySeed].sort((a, b) => a[0] - b[0])) {
    const store = new MetadataStore()
    for (const t of held) store.addInfo(t.info)
    const server = new MetadataServer({
      lookup: store,
      limits: SIM_WIRE_LIMITS,
      maxConnections: SEED_MAX_CONNECTIONS,
      // Each harvester is one address; the per-IP cap must let all its workers in at once.
      maxConnectionsPerIp: SEED_MAX_CONNECTIONS,
    })
    wires.listen({ host: address(seed), port }, (stream, remote) => server.host.acceptStream(stream, remote))
    servers.push(server)
  }
  let closing: Promise<void> | undefined
  return {
    servers,
    close: () => (closing ??= Promise.all(servers.map((s) => s.close())).then(() => undefined)),
  }
}
