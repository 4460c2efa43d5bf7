// The parts of stock bittorrent-protocol 5.0.9 the stranger in ./loopback.test.ts uses.
declare module 'bittorrent-protocol' {
  import type { Duplex } from 'node:stream'
  export default class Wire extends Duplex {
    handshake(infoHash: Uint8Array, peerId: Uint8Array, extensions?: { dht?: boolean }): void
  }
}
