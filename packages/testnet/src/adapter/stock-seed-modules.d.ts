// Our declarations for the parts of bittorrent-protocol 5.0.9 and ut_metadata 5.0.1 that
// ./stock-seed.ts uses. Only that file imports these modules.
declare module 'bittorrent-protocol' {
  import type { Duplex } from 'node:stream'
  export default class Wire extends Duplex {
    constructor()
    use(extension: unknown): void
    handshake(infoHash: string | Uint8Array, peerId: Uint8Array, extensions?: { dht?: boolean }): void
    port(port: number): void
  }
}
declare module 'ut_metadata' {
  /** Returns an extension class serving `metadata` (the bencoded info dict). */
  const utMetadata: (metadata?: Uint8Array) => unknown
  export default utMetadata
}
