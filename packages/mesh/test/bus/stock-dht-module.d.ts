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
    destroy(cb?: () => void): void
  }
}
