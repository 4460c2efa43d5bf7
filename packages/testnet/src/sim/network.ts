// The simulated DHT: N @bbmesh/dht nodes on one MemoryNetwork (latency, loss, seeded). Nodes join
// either for real (each one an iterative find_node for its own id through a bootstrap node, as
// @bbmesh/dht's createTestnet does) or, at 10,000+ nodes where real joins take minutes, by filling
// every routing table through the public `addNode` with the contacts a join would have found:
// for every bucket depth, the nodes closest to a random id in that bucket. Every node and the
// network run on the simulation's virtual clock, which starts at 0: a contact filled in directly
// counts as seen at 0 (as if the join had just heard from it), and is questionable after BEP 5's
// 15 minutes, when a full bucket pings it before letting a newcomer in.
import { DhtNode, MemoryNetwork, constants, seededRandom, type RandomSource } from '@bbmesh/dht'
import type { VirtualClock } from './clock.js'
import type { TrafficCounter } from './traffic.js'
import { INFOHASH_BYTES } from '../constants.js'
import { Keyspace, firstDifferingBit, targetInBucket } from './keyspace.js'

export type JoinMode = 'lookup' | 'direct'

export interface SimNetworkOptions {
  nodes: number
  latencyMs: number | [number, number]
  loss: number
  join: JoinMode
  /** Node ids and routing-table fill. */
  random: RandomSource
  /** Latency and loss draws (the MemoryNetwork's own stream). */
  networkSeed: number
  /** Real joins in flight at once. */
  joinBatch?: number
  sampleIntervalS: number
  /** KRPC query timeout of every node, ms. */
  timeoutMs: number
  clock: VirtualClock
  /** Counts what the simulated nodes send. */
  traffic?: TrafficCounter
}

export interface SimNetwork {
  readonly network: MemoryNetwork
  readonly nodes: readonly DhtNode[]
  readonly ids: readonly Buffer[]
  readonly keyspace: Keyspace
  /** "host:port" of a few nodes, for harvesters to join through. */
  readonly bootstrap: string[]
  destroy(): Promise<void>
}

/** Contacts per bucket depth when filling tables directly (k-bucket keeps at most K = 8 of them). */
const DIRECT_PER_BUCKET = 8

export async function buildSimNetwork(opts: SimNetworkOptions): Promise<SimNetwork> {
  const network = new MemoryNetwork({
    latencyMs: opts.latencyMs,
    loss: opts.loss,
    seed: opts.networkSeed,
    clock: opts.clock,
  })
  const ids = Array.from({ length: opts.nodes }, () => opts.random.bytes(INFOHASH_BYTES))
  const nodes: DhtNode[] = []
  const destroy = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.destroy()))
  }
  try {
    for (const [i, id] of ids.entries()) {
      const node = new DhtNode({
        // Its own stream for BEP 51 sample draws and token secrets.
        random: seededRandom(opts.networkSeed * 100_003 + i),
        nodeId: id,
        bootstrap: false,
        transport: opts.traffic ? opts.traffic.wrap(network.createTransport()) : network.createTransport(),
        rateLimit: false,
        outboundQueriesPerSecond: false,
        sampleIntervalS: opts.sampleIntervalS,
        timeoutMs: opts.timeoutMs,
        clock: opts.clock,
        questionableAfterMs: constants.BEP5_QUESTIONABLE_AFTER_MS,
      })
      nodes.push(node)
      await node.listen(0, '0.0.0.0')
    }
    const addr = (i: number): { host: string; port: number } => {
      const a = nodes[i]!.address()!
      return { host: a.address, port: a.port }
    }
    const keyspace = new Keyspace(ids)
    const bootstrap = [0, 1, 2].filter((i) => i < nodes.length).map((i) => `${addr(i).host}:${addr(i).port}`)
    if (opts.join === 'direct') {
      const depth = Math.min(INFOHASH_BYTES * 8, Math.ceil(Math.log2(Math.max(2, opts.nodes))) + 4)
      for (let i = 0; i < nodes.length; i++) {
        const me = ids[i]!
        for (let bit = 0; bit < depth; bit++) {
          const target = targetInBucket(me, bit, opts.random.bytes(INFOHASH_BYTES))
          // Only contacts that really fall in bucket `bit`: an overflowing k-bucket pings its
          // oldest contacts, which would flood the network while it is being built.
          for (const j of keyspace.closest(target, DIRECT_PER_BUCKET))
            if (j !== i && firstDifferingBit(me, ids[j]!) === bit)
              nodes[i]!.addNode({ id: ids[j]!, ...addr(j) })
        }
      }
    } else {
      // Real joins: everyone through node 0, a batch at a time (bounded burst).
      for (let i = 1; i < nodes.length; i++) nodes[i]!.addNode({ id: ids[0]!, ...addr(0) })
      const batch = opts.joinBatch ?? 50
      for (let i = 1; i < nodes.length; i += batch)
        await Promise.all(nodes.slice(i, i + batch).map((n) => n.bootstrap()))
      await nodes[0]!.bootstrap()
    }
    return { network, nodes, ids, keyspace, bootstrap, destroy }
  } catch (err) {
    await destroy()
    throw err
  }
}
