// createTestnet: N DHT nodes on 127.0.0.1 (a share stock bittorrent-dht, the rest @bbmesh/dht),
// joined only among themselves through one or two bootstrap nodes; S seeds holding T generated
// torrents that they announce (announce_peer) and serve (BEP 9); optional seeded churn and
// re-announce. Everything is seeded except the ports and the libraries' own transaction ids.
import { seededRandom, type RandomSource } from '@bbmesh/dht'
import { StockDhtNode } from './adapter/stock-dht.js'
import { announceAll, type AnnounceReport } from './announce.js'
import { BbmeshNode } from './bbmesh-node.js'
import { Churn, type ChurnCounters } from './churn.js'
import * as C from './constants.js'
import { generateTorrents, type TestnetTorrent } from './content.js'
import { TestnetError } from './errors.js'
import type { NodeKind, TestnetNode } from './node-types.js'
import { startSeed, type TestnetSeed } from './seeds.js'
import { resolveOptions, type TestnetOptions } from './options.js'

export interface TestnetStats {
  nodes: { bbmesh: number; stock: number }
  seeds: { bbmesh: number; stock: number; connections: number }
  torrents: { total: number; announced: number; v1: number; v2: number; hybrid: number }
  announce: AnnounceReport
  churn: ChurnCounters
}

export interface Testnet {
  /** The live DHT nodes (churn replaces entries). */
  readonly nodes: readonly TestnetNode[]
  readonly seeds: readonly TestnetSeed[]
  /** Ground truth: every generated torrent, with the key it is announced under and its files. */
  readonly torrents: readonly TestnetTorrent[]
  /** "127.0.0.1:port" of the bootstrap node(s): how a harvester or observer joins. */
  readonly bootstrap: readonly string[]
  /** Announces every torrent through its seed's DHT node (done by createTestnet unless `announce: false`). */
  announce(): Promise<AnnounceReport>
  /** Infohashes (hex, the DHT keys) whose announce reached at least one node. */
  announced(): TestnetTorrent[]
  stats(): TestnetStats
  /** Stops churn and re-announce, closes every seed and node: every socket and timer. Idempotent. */
  destroy(): Promise<void>
}

export async function createTestnet(options: TestnetOptions = {}): Promise<Testnet> {
  const o = resolveOptions(options)
  // Independent streams, so that e.g. enabling churn does not change the generated content.
  const ids = seededRandom(o.seed * 4 + 1)
  const content = seededRandom(o.seed * 4 + 2)
  const layout = seededRandom(o.seed * 4 + 3)
  const churnRandom = seededRandom(o.seed * 4 + 4)

  const nodes: TestnetNode[] = []
  const seeds: TestnetSeed[] = []
  const bootstrap: string[] = []
  const created: TestnetNode[] = []
  let churn: Churn | undefined
  let reannounceTimer: NodeJS.Timeout | undefined
  let announcing: Promise<AnnounceReport> | undefined
  let destroying: Promise<void> | undefined
  const announced = new Map<string, number>()
  let lastReport: AnnounceReport = { attempted: 0, reached: 0, failed: 0, ms: 0 }

  const makeNode = (kind: NodeKind, rng: RandomSource): TestnetNode => {
    const id = rng.bytes(C.INFOHASH_BYTES)
    const node =
      kind === 'stock'
        ? new StockDhtNode({ id, bootstrap })
        : new BbmeshNode({ id, bootstrap, sampleIntervalS: o.sampleIntervalS })
    created.push(node)
    return node
  }
  const startNode = async (node: TestnetNode): Promise<void> => {
    if (node instanceof StockDhtNode || node instanceof BbmeshNode) await node.start()
  }

  const destroy = (): Promise<void> => {
    destroying ??= (async () => {
      clearInterval(reannounceTimer)
      await churn?.stop()
      await announcing?.catch(() => undefined)
      await Promise.all(seeds.map((s) => s.close()))
      await Promise.all(created.map((n) => n.destroy()))
    })()
    return destroying
  }

  const announce = (): Promise<AnnounceReport> => {
    if (destroying) return Promise.reject(new TestnetError('ERR_TESTNET_DESTROYED', 'testnet destroyed'))
    // A round still running (a slow re-announce) is shared rather than doubled.
    announcing ??= announceAll(seeds, o.announceConcurrency, (t, n) => {
      if (n > 0) announced.set(t.infohash, Math.max(n, announced.get(t.infohash) ?? 0))
    })
      .then((r) => (lastReport = r))
      .finally(() => (announcing = undefined))
    return announcing
  }

  try {
    const kinds = layoutKinds(o.nodes, o.stockNodes, layout)
    // One bbmesh and one stock node (when there are both) are the bootstrap nodes; they join nothing.
    const first = [...new Set([kinds.indexOf('bbmesh'), kinds.indexOf('stock')])].filter((i) => i >= 0)
    for (const i of first) {
      const n = makeNode(kinds[i]!, ids)
      nodes[i] = n
    }
    for (const i of first) {
      await startNode(nodes[i]!)
      bootstrap.push(`${C.LOOPBACK}:${nodes[i]!.port}`)
    }
    const rest = kinds.map((_, i) => i).filter((i) => !first.includes(i))
    for (let b = 0; b < rest.length; b += o.joinBatch) {
      const group = rest.slice(b, b + o.joinBatch).map((i) => (nodes[i] = makeNode(kinds[i]!, ids)))
      await Promise.all(group.map(startNode))
    }

    // Seeds sit on nodes of their own kind (a WebTorrent client runs a stock DHT), never a bootstrap node.
    const hosts = nodes.filter((n) => !first.includes(nodes.indexOf(n)))
    const pool = hosts.length > 0 ? hosts : nodes
    const seedKinds = Array.from({ length: o.seeds }, (_, j): NodeKind =>
      j < o.stockSeeds ? 'stock' : 'bbmesh',
    )
    const used = new Set<TestnetNode>()
    const seedHosts = seedKinds.map((kind) => {
      const free = pool.filter((n) => !used.has(n))
      const host = free.find((n) => n.kind === kind) ?? free[0] ?? pool[used.size % pool.length]!
      used.add(host)
      return host
    })
    const torrents = await generateTorrents({
      count: o.torrents,
      random: content,
      seedOf: (i) => i % o.seeds,
      allowV2: (i) => seedKinds[i % o.seeds] !== 'stock',
      hybridByV2: (i) => seedKinds[i % o.seeds] !== 'stock' && i % 2 === 0,
      v2Share: o.v2Share,
      hybridShare: o.hybridShare,
      tag: `tn${o.seed}`,
    })
    for (let j = 0; j < o.seeds; j++) {
      const mine = torrents.filter((t) => t.seed === j)
      seeds.push(await startSeed(j, seedKinds[j]!, seedHosts[j]!, mine))
    }

    const protectedNodes = new Set<TestnetNode>([...first.map((i) => nodes[i]!), ...seedHosts])
    if (o.churnIntervalMs > 0) {
      churn = new Churn({
        intervalMs: o.churnIntervalMs,
        random: churnRandom,
        nodes,
        isProtected: (n) => protectedNodes.has(n),
        replace: async (gone) => {
          const fresh = makeNode(gone.kind, churnRandom)
          await startNode(fresh)
          return fresh
        },
      })
    }

    const testnet: Testnet = {
      nodes,
      seeds,
      torrents,
      bootstrap,
      announce,
      announced: () => torrents.filter((t) => announced.has(t.infohash)),
      stats: () => ({
        nodes: {
          bbmesh: nodes.filter((n) => n.kind === 'bbmesh').length,
          stock: nodes.filter((n) => n.kind === 'stock').length,
        },
        seeds: {
          bbmesh: seeds.filter((s) => s.kind === 'bbmesh').length,
          stock: seeds.filter((s) => s.kind === 'stock').length,
          connections: seeds.reduce((n, s) => n + s.connections(), 0),
        },
        torrents: {
          total: torrents.length,
          announced: announced.size,
          v1: torrents.filter((t) => t.version === 'v1').length,
          v2: torrents.filter((t) => t.version === 'v2').length,
          hybrid: torrents.filter((t) => t.version === 'hybrid').length,
        },
        announce: { ...lastReport },
        churn: churn ? { ...churn.counters } : { left: 0, joined: 0, failedJoins: 0 },
      }),
      destroy,
    }
    if (o.announce) await announce()
    churn?.start()
    if (o.reannounceMs > 0) {
      reannounceTimer = setInterval(() => {
        if (!destroying) announce().catch(() => undefined)
      }, o.reannounceMs)
    }
    return testnet
  } catch (err) {
    await destroy()
    throw new TestnetError('ERR_TESTNET_START', `testnet failed to start: ${(err as Error).message}`, {
      cause: err,
    })
  }
}

/** Which node is stock: a seeded shuffle of `stock` stock and `n - stock` bbmesh slots. */
function layoutKinds(n: number, stock: number, random: RandomSource): NodeKind[] {
  const kinds = Array.from({ length: n }, (_, i): NodeKind => (i < stock ? 'stock' : 'bbmesh'))
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1))
    ;[kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!]
  }
  return kinds
}
