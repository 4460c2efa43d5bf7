// A testnet helper: N nodes on loopback UDP (or an in-memory network) all joined through the
// first one. For tests and simulations; never touches public routers.
import { DhtNode } from './node.js'
import type { DhtNodeOptions } from './node-options.js'
import type { MemoryNetwork } from './transport/memory.js'

export interface DhtTestnetOptions extends Omit<DhtNodeOptions, 'bootstrap' | 'transport'> {
  /** Run on this in-memory network instead of UDP 127.0.0.1. */
  network?: MemoryNetwork
  /** Join the nodes in batches of this many (bounded concurrency). Default 50. */
  batch?: number
}

export interface DhtTestnet {
  nodes: DhtNode[]
  /** "host:port" of the first node, usable as a bootstrap list. */
  bootstrap: string[]
  destroy(): Promise<void>
}

export async function createDhtTestnet(size: number, opts: DhtTestnetOptions = {}): Promise<DhtTestnet> {
  const { network, batch = 50, ...nodeOpts } = opts
  const host = network ? '0.0.0.0' : '127.0.0.1'
  const base = { rateLimit: false as const, outboundQueriesPerSecond: false as const, ...nodeOpts }
  // On the in-memory network, ids come from its seeded random source so runs replay.
  const id = (): Buffer | undefined => (nodeOpts.nodeId === undefined ? network?.random.bytes(20) : undefined)
  const first = new DhtNode({
    ...base,
    nodeId: id() ?? nodeOpts.nodeId,
    bootstrap: false,
    transport: network?.createTransport(),
  })
  const nodes = [first]
  const testnet: DhtTestnet = {
    nodes,
    bootstrap: [],
    destroy: async () => {
      await Promise.all(nodes.map((n) => n.destroy()))
    },
  }
  try {
    const a = await first.listen(0, host)
    testnet.bootstrap = [`${a.address}:${a.port}`]
    for (let i = 1; i < size; i += batch) {
      const group: DhtNode[] = []
      for (let j = i; j < Math.min(size, i + batch); j++) {
        const n = new DhtNode({
          ...base,
          nodeId: id(),
          bootstrap: testnet.bootstrap,
          transport: network?.createTransport(),
        })
        nodes.push(n)
        group.push(n)
      }
      await Promise.all(
        group.map(async (n) => {
          await n.listen(0, host)
          await n.bootstrap()
        }),
      )
    }
    return testnet
  } catch (err) {
    await testnet.destroy()
    throw err
  }
}
