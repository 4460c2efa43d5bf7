// Our declarations for the parts of bittorrent-protocol 5.0.9 that src/adapter/wire-adapter.ts uses.
// Only that file imports the module.
declare module 'bittorrent-protocol' {
  import type { EventEmitter } from 'node:events'

  interface HandshakeExtensions {
    dht: boolean
    fast: boolean
    extended: boolean
  }

  class Wire extends EventEmitter {
    constructor(type?: string, peEnabled?: number)
    peerId: string | null
    peerIdBuffer: Uint8Array | null
    peerExtensions: Partial<HandshakeExtensions>
    extendedHandshake: Record<string, unknown>
    extendedMapping: Record<number, string>
    peerExtendedMapping: Record<string, number>
    peerExtendedHandshake: Record<string, unknown>
    destroyed: boolean
    handshake(infoHash: Uint8Array, peerId: Uint8Array, extensions?: { dht?: boolean; fast?: boolean }): void
    extended(ext: number | string, payload: Uint8Array): void
    port(port: number): void
    keepAlive(): void
    write(chunk: Uint8Array): boolean
    pipe<T>(dest: T): T
    destroy(err?: Error): void
    end(): void
  }
  export default Wire
}
