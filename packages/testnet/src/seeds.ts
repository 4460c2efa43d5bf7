// Seeding peers: each holds some torrents, serves their BEP 9 metadata over TCP on 127.0.0.1 and
// announces them through its DHT node (a BitTorrent client is a DHT node plus a peer).
import { MetadataServer, MetadataStore } from '@bbmesh/wire'
import { StockSeed } from './adapter/stock-seed.js'
import { LOOPBACK } from './constants.js'
import type { TestnetTorrent } from './content.js'
import type { NodeKind, TestnetNode } from './node-types.js'

export interface TestnetSeed {
  readonly index: number
  /** 'bbmesh': @bbmesh/wire MetadataServer; 'stock': bittorrent-protocol + ut_metadata. */
  readonly kind: NodeKind
  /** TCP port of its BEP 9 server. */
  readonly port: number
  /** The DHT node it announces through (and whose port it reveals with PORT). */
  readonly node: TestnetNode
  readonly torrents: TestnetTorrent[]
  /** Inbound connections so far. */
  connections(): number
  close(): Promise<void>
}

export async function startSeed(
  index: number,
  kind: NodeKind,
  node: TestnetNode,
  torrents: TestnetTorrent[],
): Promise<TestnetSeed> {
  if (kind === 'stock') {
    const stock = new StockSeed(node.port)
    for (const t of torrents) stock.add(t.infohash, t.info)
    const port = await stock.listen()
    return {
      index,
      kind,
      port,
      node,
      torrents,
      connections: () => stock.counters.connections,
      close: () => stock.close(),
    }
  }
  const store = new MetadataStore()
  for (const t of torrents) store.addInfo(t.info)
  // Every harvester dials from 127.0.0.1, so the per-IP cap must allow all of them at once.
  const server = new MetadataServer({ lookup: store, dhtPort: node.port, maxConnectionsPerIp: 256 })
  const { port } = await server.listen(0, LOOPBACK)
  return {
    index,
    kind,
    port,
    node,
    torrents,
    connections: () => server.counters.opened,
    close: () => server.close(),
  }
}
