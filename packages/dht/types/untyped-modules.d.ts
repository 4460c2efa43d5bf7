// Our own declarations for the untyped libraries wrapped by the adapter (src/adapter/bittorrent-dht.ts,
// which sets them up in k-rpc-setup.ts and client-dht.ts). Outside src/ and shipped in the package:
// the adapter's emitted .d.ts files reference this file by the same relative path from dist/. Only
// the members the adapter uses are declared; the underscore members are theirs, used in those files
// under src/adapter alone.

declare module 'k-bucket' {
  import type { EventEmitter } from 'node:events'
  export interface KBucketContact {
    id: Buffer
    host: string
    port: number
    seen?: number
    token?: Buffer | null
    distance?: number
  }
  export interface KBucketNode {
    contacts: KBucketContact[] | null
    left: KBucketNode
    right: KBucketNode
    dontSplit: boolean
  }
  export default class KBucket extends EventEmitter {
    constructor(opts: { localNodeId: Buffer; numberOfNodesPerKBucket?: number; numberOfNodesToPing?: number })
    localNodeId: Buffer
    root: KBucketNode
    metadata: { lastChange?: number }
    add(contact: KBucketContact): this
    get(id: Buffer): KBucketContact | null
    remove(id: Buffer): this
    closest(id: Buffer, n?: number): KBucketContact[]
    count(): number
    toArray(): KBucketContact[]
  }
}

declare module 'k-rpc' {
  import type { EventEmitter } from 'node:events'
  import type KBucket from 'k-bucket'
  import type { KBucketContact } from 'k-bucket'
  export interface KrpcQueryMessage {
    q: string
    a: Record<string, unknown>
  }
  export type KrpcCallback = (err: (Error & { code?: unknown }) | null, res: unknown, peer: unknown) => void
  export interface RPC extends EventEmitter {
    id: Buffer
    nodes: KBucket
    pending: unknown[]
    k: number
    concurrency: number
    backgroundConcurrency: number
    destroyed: boolean
    bootstrap: { host: string; port: number }[]
    query(
      node: { host: string; port: number; id?: Buffer; token?: Buffer },
      msg: KrpcQueryMessage,
      cb?: KrpcCallback,
    ): void
    populate(target: Buffer, msg: KrpcQueryMessage, cb?: (err: Error | null, n: number) => void): void
    closest(
      target: Buffer,
      msg: KrpcQueryMessage,
      visit: ((res: unknown, peer: unknown) => boolean | undefined) | null,
      cb: (err: Error | null, n: number) => void,
    ): void
    queryAll(
      nodes: KBucketContact[],
      msg: KrpcQueryMessage,
      visit: null,
      cb: (err: Error | null, n: number) => void,
    ): void
    destroy(cb?: () => void): void
    _addNode(node: KBucketContact): void
    /** The iterative lookup under closest() (background=false) and populate() (true). */
    _closest(
      target: Buffer,
      msg: KrpcQueryMessage,
      background: boolean,
      visit: ((res: unknown, peer: unknown) => boolean | undefined | void) | null,
      cb?: (err: Error | null, n: number) => void,
    ): void
  }
  export interface RPCOptions {
    id: Buffer
    idLength?: number
    krpcSocket: unknown
    bootstrap: string[] | false
    k?: number
    concurrency?: number
    backgroundConcurrency?: number
  }
  export default function krpc(opts: RPCOptions): RPC
}

declare module 'bittorrent-dht' {
  import type { EventEmitter } from 'node:events'
  import type { RPC } from 'k-rpc'
  import type KBucket from 'k-bucket'
  export interface DHTOptions {
    krpc?: RPC
    bootstrap?: false | string[]
    verify?: (sig: Buffer, msg: Buffer, pk: Buffer) => boolean
    nodeId?: Buffer | string
    host?: string | false
    timeBucketOutdated?: number
    maxTables?: number
    maxValues?: number
  }
  export interface DHTPutOptions {
    v: Buffer | unknown
    k?: Buffer
    seq?: number
    salt?: Buffer
    cas?: number
    sign?: (buf: Buffer) => Buffer
  }
  export interface DHTGetReply {
    id?: Buffer
    v: unknown
    k?: Buffer
    sig?: Buffer
    seq?: number
    salt?: Buffer
  }
  export default class DHT extends EventEmitter {
    constructor(opts?: DHTOptions)
    nodeId: Buffer
    nodes: KBucket
    destroyed: boolean
    listening: boolean
    ready: boolean
    _rpc: RPC
    /** Nodes that answered the last lookup of each target, with their write tokens (LRU, 5 min). */
    _tables: {
      get(key: string): KBucket | undefined
      set(key: string, v: KBucket): void
      remove(key: string): unknown
    }
    /** Rotates the secrets of bittorrent-dht's own tokens. */
    _interval: NodeJS.Timeout
    /** Announced peers for bittorrent-dht's own query handlers (record-cache). */
    _peers: { get(key: string, max?: number): Buffer[]; add(key: string, v: Buffer): void; destroy(): void }
    _onquery(query: unknown, peer: unknown): void
    /** Starts the periodic bucket check (called when listening). */
    _setBucketCheckInterval(): void
    listen(port: number, host: string, cb?: () => void): void
    address(): { address: string; port: number }
    addNode(node: { id?: Buffer; host: string; port: number }): void
    removeNode(id: Buffer): void
    lookup(infoHash: Buffer, cb?: (err: Error | null, n: number) => void): () => void
    announce(infoHash: Buffer, port: number, cb?: (err: Error | null, n?: number) => void): void
    put(
      opts: DHTPutOptions,
      cb?: (err: (Error & { code?: unknown }) | null, key: Buffer, n: number) => void,
    ): Buffer
    get(
      key: Buffer,
      opts: { salt?: Buffer; cache?: boolean; verify?: (sig: Buffer, msg: Buffer, pk: Buffer) => boolean },
      cb: (err: Error | null, value: DHTGetReply | null) => void,
    ): void
    destroy(cb?: () => void): void
    toJSON(): { nodes: { host: string; port: number }[] }
  }
}
