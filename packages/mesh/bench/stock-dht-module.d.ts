// The parts of stock bittorrent-dht 11.0.12 that the membership bench uses (not named
// bittorrent-dht.d.ts: tsc ignores a .d.ts sharing its base name with a .ts file).
declare module 'bittorrent-dht' {
  export default class DHT {
    constructor(opts?: { bootstrap?: false | string[]; host?: string | false; nodeId?: Buffer })
    once(ev: 'ready', f: () => void): this
    listen(port: number, host: string, cb: () => void): void
    address(): { port: number }
    destroy(cb?: () => void): void
  }
}
