// A stock, unmodified bittorrent-dht node on 127.0.0.1: the non-cooperating public of the testnet.
// The one file that imports bittorrent-dht.
import DHT from 'bittorrent-dht'
import { LOOPBACK } from '../constants.js'
import type { TestnetNode } from '../node-types.js'

export class StockDhtNode implements TestnetNode {
  readonly kind = 'stock' as const
  readonly id: Buffer
  port = 0
  /** Errors and warnings the library emitted (an unhandled 'error' event would throw). */
  problems = 0
  private lib: DHT | undefined
  private destroying: Promise<void> | undefined

  constructor(private readonly opts: { id: Buffer; bootstrap: string[] }) {
    this.id = Buffer.from(opts.id)
  }

  /** Binds and joins through the bootstrap list; resolves once both are done. */
  start(): Promise<void> {
    if (this.lib || this.destroying) return Promise.resolve()
    // Created here, not in the constructor: the library bootstraps on the next tick, so `ready`
    // must be listened for, and the socket bound, in the same tick as `new DHT`.
    const bootstrap = this.opts.bootstrap.length ? [...this.opts.bootstrap] : false
    const lib = new DHT({ nodeId: this.id, bootstrap, host: false })
    this.lib = lib
    lib.on('error', () => this.problems++)
    lib.on('warning', () => this.problems++)
    return new Promise((resolve) => {
      let n = 0
      const done = (): void => {
        if (++n < 2) return
        this.port = lib.address().port
        resolve()
      }
      lib.once('ready', done)
      // Bound before the nextTick bootstrap sends anything, so nothing goes out from 0.0.0.0.
      lib.listen(0, LOOPBACK, done)
    })
  }

  announce(infohash: Buffer, port: number): Promise<number> {
    const lib = this.lib
    if (!lib || lib.destroyed) return Promise.resolve(0)
    return new Promise((resolve, reject) =>
      lib.announce(infohash, port, (err, n) => (err ? reject(err) : resolve(n ?? 0))),
    )
  }

  routingTableSize(): number {
    return this.lib?.nodes.count() ?? 0
  }

  destroy(): Promise<void> {
    this.destroying ??= new Promise((resolve) => (this.lib ? this.lib.destroy(() => resolve()) : resolve()))
    return this.destroying
  }
}
