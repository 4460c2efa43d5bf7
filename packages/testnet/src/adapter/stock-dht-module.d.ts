// (Not named stock-dht.d.ts: tsc ignores a .d.ts sharing its base name with a .ts file.)
// Our declarations for the parts of bittorrent-dht 11.0.12 that ./stock-dht.ts uses. Only that file
// imports the module.
declare module 'bittorrent-dht' {
  import type { EventEmitter } from 'node:events'
  export interface DHTOptions {
    bootstrap?: false | string[]
    nodeId?: Buffer | string
    host?: string | false
  }
  export default class DHT extends EventEmitter {
    constructor(opts?: DHTOptions)
    nodeId: Buffer
    nodes: { count(): number }
    destroyed: boolean
    address(): { address: string; port: number }
    listen(port: number, host: string, cb?: () => void): void
    announce(infoHash: Buffer, port: number, cb?: (err: Error | null, n?: number) => void): void
    destroy(cb?: () => void): void
  }
}
