// Storing the infohashes in the simulated DHT the way the real one holds them: every torrent's
// seed (a simulated peer that is also a DHT node) announces it. `announce` runs @bbmesh/dht's real
// announce (an iterative get_peers lookup, then announce_peer with the tokens) and is what small
// simulations use. `direct` skips only the lookup: the seed sends get_peers (for a token) and
// announce_peer to the K closest nodes, found from the global keyspace; both are real KRPC
// queries answered by the nodes' own handlers. `store` puts the seed straight into the peer
// stores of those same K closest nodes (DhtNode.storePeer): the end state a successful announce
// leaves, without its 4K datagrams, so 50,000 infohashes are laid out in a second or two. What
// `store` does not model is an announce lost on the way (1% loss barely dents 8 replicas).
import type { DhtNode } from '@bbmesh/dht'
import type { TestnetTorrent } from '../content.js'
import type { SimNetwork } from './network.js'

export type PlacementMode = 'announce' | 'direct' | 'store'

/** The TCP port every simulated seed announces (its BEP 9 "listening" port). */
export const SIM_PEER_PORT = 51413

export interface PlacementReport {
  mode: PlacementMode
  /** Torrents stored on at least one node. */
  stored: number
  /** Nodes that accepted an announce_peer, summed over torrents. */
  replicas: number
  failed: number
  ms: number
}

export interface PlaceOptions {
  mode: PlacementMode
  /** Nodes an announce reaches in `direct` mode (the K of BEP 5; default 8). */
  replicas?: number
  concurrency?: number
}

/** Announces every torrent from its seed node (`sim.nodes[torrent.seed]`); returns what was stored. */
export async function placeTorrents(
  sim: SimNetwork,
  torrents: readonly TestnetTorrent[],
  opts: PlaceOptions,
): Promise<{ report: PlacementReport; stored: TestnetTorrent[] }> {
  const t0 = Date.now()
  const k = opts.replicas ?? 8
  const ok = new Array<number>(torrents.length).fill(0)
  if (opts.mode === 'store') {
    torrents.forEach((t, i) => {
      const seed = sim.nodes[t.seed]!.address()!
      const ih = Buffer.from(t.infohash, 'hex')
      for (const j of sim.keyspace.closest(ih, k)) {
        if (j === t.seed) continue
        sim.nodes[j]!.storePeer(ih, { host: seed.address, port: SIM_PEER_PORT })
        ok[i] = ok[i]! + 1
      }
    })
  }
  let next = 0
  const worker = async (): Promise<void> => {
    while (opts.mode !== 'store' && next < torrents.length) {
      const i = next++
      const t = torrents[i]!
      const seed = sim.nodes[t.seed]!
      const ih = Buffer.from(t.infohash, 'hex')
      if (opts.mode === 'announce') {
        // A lookup that loses its datagrams reaches nobody: one retry, as the loopback testnet does.
        for (let attempt = 0; attempt < 2 && ok[i] === 0; attempt++)
          ok[i] = await seed.announce(ih, SIM_PEER_PORT).catch(() => 0)
      } else {
        const targets = sim.keyspace.closest(ih, k).filter((j) => j !== t.seed)
        const results = await Promise.all(targets.map((j) => announceTo(seed, sim.nodes[j]!, ih)))
        ok[i] = results.filter(Boolean).length
      }
    }
  }
  // Few enough that a CPU-bound process answers within the query timeout (event-loop lag counts).
  const conc = opts.concurrency ?? 32
  await Promise.all(Array.from({ length: conc }, worker))
  const stored = torrents.filter((_, i) => ok[i]! > 0)
  const replicas = ok.reduce((a, b) => a + b, 0)
  return {
    report: {
      mode: opts.mode,
      stored: stored.length,
      replicas,
      failed: torrents.length - stored.length,
      ms: Date.now() - t0,
    },
    stored,
  }
}

/** get_peers for a token, then announce_peer; two tries each (the network may lose datagrams). */
async function announceTo(seed: DhtNode, node: DhtNode, ih: Buffer): Promise<boolean> {
  const a = node.address()
  if (!a) return false
  const to = { host: a.address, port: a.port }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const r = await seed.query(to, 'get_peers', { info_hash: ih })
      if (!Buffer.isBuffer(r.token)) return false
      await seed.query(to, 'announce_peer', { info_hash: ih, port: SIM_PEER_PORT, token: r.token })
      return true
    } catch {
      // lost or timed out: try again
    }
  }
  return false
}
