// (Not named bittorrent-dht.d.ts: tsc ignores a .d.ts sharing its base name with a .ts file.)
// The parts of stock bittorrent-dht 11.0.12 that ./net.ts uses.
declare module 'bittorrent-dht' {
  export interface StockItem {
    v: Buffer
    seq?: number
    k?: Buffer
  }
  export default class DHT {
    constructor(opts?: {
      bootstrap?: false | string[]
      host?: string | false
      verify?: (sig: Buffer, msg: Buffer, pk: Buffer) => boolean
    })
    once(ev: 'ready', f: () => void): this
    listen(port: number, host: string, cb: () => void): void
    get(
      target: Buffer,
      opts: { salt?: Buffer; cache?: boolean },
      cb: (err: Error | null, item: StockItem | null) => void,
    ): void
    address(): { port: number }
    /**
     * Stock k-rpc underneath: bittorrent-dht has no public call for an arbitrary KRPC query (no BEP 51
     * client at all), so tests that make a stock node ask sample_infohashes or bb_near use it.
     */
    _rpc: {
      id: Buffer
      query(
        peer: { host: string; port: number },
        message: { q: string; a: Record<string, unknown> },
        cb: (err: (Error & { code?: unknown }) | null, res: { r?: Record<string, unknown> } | null) => void,
      ): void
    }
    destroy(cb?: () => void): void
  }
}
