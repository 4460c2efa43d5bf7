// What the testnet needs from a DHT node, whichever implementation stands behind it.
import type { DhtNode } from '@bbmesh/dht'

export type NodeKind = 'bbmesh' | 'stock'

export interface TestnetNode {
  readonly kind: NodeKind
  readonly id: Buffer
  /** Bound UDP port on 127.0.0.1 (0 before listening). */
  readonly port: number
  /** Our node, when kind is 'bbmesh' (for observers and harvesters that want its events). */
  readonly dht?: DhtNode
  /** BEP 5 announce_peer for `infohash` with an explicit TCP `port`; resolves with nodes reached. */
  announce(infohash: Buffer, port: number): Promise<number>
  routingTableSize(): number
  /** Closes the socket and every timer. Idempotent. */
  destroy(): Promise<void>
}
