// One of our @bbmesh/dht nodes as a testnet node.
import { DhtNode } from '@bbmesh/dht'
import { LOOPBACK } from './constants.js'
import type { TestnetNode } from './node-types.js'

export class BbmeshNode implements TestnetNode {
  readonly kind = 'bbmesh' as const
  readonly dht: DhtNode
  port = 0
  /** Warnings the node emitted (timeouts of queries to departed nodes and the like). */
  warnings = 0

  constructor(opts: { id: Buffer; bootstrap: string[]; sampleIntervalS: number }) {
    // Every node shares 127.0.0.1, so the per-IP inbound limit and the outbound cap are off.
    this.dht = new DhtNode({
      nodeId: opts.id,
      bootstrap: opts.bootstrap.length ? opts.bootstrap : false,
      rateLimit: false,
      outboundQueriesPerSecond: false,
      sampleIntervalS: opts.sampleIntervalS,
    })
    this.dht.on('warning', () => this.warnings++)
  }

  get id(): Buffer {
    return this.dht.id
  }

  async start(): Promise<void> {
    this.port = (await this.dht.listen(0, LOOPBACK)).port
    await this.dht.bootstrap()
  }

  announce(infohash: Buffer, port: number): Promise<number> {
    return this.dht.announce(infohash, port)
  }

  routingTableSize(): number {
    return this.dht.stats().routingTableSize
  }

  destroy(): Promise<void> {
    return this.dht.destroy()
  }
}
