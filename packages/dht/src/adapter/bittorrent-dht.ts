// The engine: the typed face of bittorrent-dht / k-rpc / k-bucket. Everything outside src/adapter
// sees DhtEngine alone; the library internals are touched only in this directory. What we take
// from the libraries: k-bucket's routing table, k-rpc's bootstrap and node upkeep, and
// bittorrent-dht's client side (lookup, announce with cached tokens, BEP 44 get/put, bucket
// refresh). What we replace: the socket (our KrpcSocket via `krpcSocket`), the query side
// (`_onquery`), which our dispatcher owns, and k-rpc's iterative lookup (`_closest`, see
// lookup/iterative.ts), under rpc.closest/populate and so under bittorrent-dht's lookup,
// announce, get and put. The libraries are set up in k-rpc-setup.ts and client-dht.ts; this
// file wraps them in promises and routing-table views.
import type DHT from 'bittorrent-dht'
import type { RPC } from 'k-rpc'
import { isDict } from '../bencode.js'
import type { BDict, BInput } from '../bencode.js'
import { immutableTarget, mutableTarget } from '../bep44.js'
import { AbortError, DestroyedError, KrpcRemoteError } from '../errors.js'
import type { KrpcMessage, KrpcOutgoingQuery, RemoteInfo } from '../krpc/types.js'
import type { PeerAddress } from '../transport/types.js'
import type { LookupHandle } from '../lookup/iterative.js'
import { PeerWaiters } from '../lookup/peer-waiters.js'
import { createClientDht } from './client-dht.js'
import type { ClientDhtOptions } from './client-dht.js'
import { createRpc, installLookups } from './k-rpc-setup.js'
import type { RpcOptions } from './k-rpc-setup.js'
import { allContacts, bucketList, bucketOf, toContact } from './routing-view.js'
import type { EngineBucket, EngineContact } from './routing-view.js'

export type { EngineBucket, EngineContact } from './routing-view.js'

export interface EngineOptions extends RpcOptions, ClientDhtOptions {
  /** 'krpc' keeps k-rpc's own `_closest` (for benchmarks comparing the two). Default 'iterative'. */
  lookup?: 'iterative' | 'krpc'
}

export interface EngineItem {
  v: unknown
  k?: Buffer
  sig?: Buffer
  seq?: number
  salt?: Buffer
}

export interface EnginePut {
  v: BInput
  k?: Buffer
  seq?: number
  salt?: Buffer
  cas?: number
  sign?: (buf: Buffer) => Buffer
}

type Visit = (res: KrpcMessage, from: RemoteInfo) => boolean | void

export class DhtEngine {
  private readonly dht: DHT
  private readonly rpc: RPC
  private readonly peerWaiters = new PeerWaiters()
  /** The lookup the last rpc._closest call started (bittorrent-dht's lookup() does not return it). */
  private lastLookup: LookupHandle | null = null

  constructor(opts: EngineOptions) {
    this.rpc = createRpc(opts)
    if (opts.lookup !== 'krpc') installLookups(this.rpc, opts.socket, (h) => (this.lastLookup = h))
    this.dht = createClientDht(this.rpc, opts)
    // One listener for every get_peers lookup, dispatching by infohash (see peer-waiters.ts).
    this.dht.on('peer', (peer: PeerAddress, ih: Buffer) => this.peerWaiters.dispatch(peer, ih))
  }

  get id(): Buffer {
    return this.rpc.id
  }

  /** Iterative find_node toward our own id through the bootstrap list (BEP 5 join). */
  populate(): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.dht.destroyed) return reject(new DestroyedError())
      this.rpc.populate(
        this.rpc.id,
        { q: 'find_node', a: { id: this.rpc.id, target: this.rpc.id } },
        (err, n) => (err ? reject(err) : resolve(n)),
      )
    })
  }

  /** BEP 5 get_peers lookup; resolves with distinct peers found. */
  lookup(infoHash: Buffer, signal?: AbortSignal): Promise<PeerAddress[]> {
    return new Promise((resolve, reject) => {
      if (this.dht.destroyed) return reject(new DestroyedError())
      const seen = new Map<string, PeerAddress>()
      const onPeer = (peer: PeerAddress): void => {
        seen.set(`${peer.host}:${peer.port}`, { host: peer.host, port: peer.port })
      }
      let settled = false
      const done = (err: Error | null): void => {
        if (settled) return
        settled = true
        this.peerWaiters.remove(infoHash, onPeer)
        signal?.removeEventListener('abort', onAbort)
        if (err) reject(err)
        else resolve([...seen.values()])
      }
      const onAbort = (): void => {
        abort()
        handle?.stop()
        done(new AbortError())
      }
      this.peerWaiters.add(infoHash, onPeer)
      this.lastLookup = null
      const abort = this.dht.lookup(infoHash, (err) => done(err))
      const handle = this.lastLookup as LookupHandle | null
      if (signal?.aborted) onAbort()
      else signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** BEP 5 announce_peer to the closest nodes (looks up first when no tokens are cached). */
  announce(infoHash: Buffer, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.dht.destroyed) return reject(new DestroyedError())
      this.writeFresh<number>(
        infoHash,
        (done) => this.dht.announce(infoHash, port, done),
        (err, n) => (err ? reject(err) : resolve(n ?? 0)),
      )
    })
  }

  /** BEP 44 put; resolves with the target and how many nodes stored it. */
  put(item: EnginePut): Promise<{ target: Buffer; stored: number }> {
    return new Promise((resolve, reject) => {
      if (this.dht.destroyed) return reject(new DestroyedError())
      const target = item.k ? mutableTarget(item.k, item.salt) : immutableTarget(item.v)
      this.writeFresh<number>(
        target,
        (done) => this.dht.put(item, (err, _t, n) => done(err, n)),
        (err, n) => {
          if (!err) return resolve({ target, stored: n ?? 0 })
          const code = (err as { code?: unknown }).code
          reject(typeof code === 'number' ? new KrpcRemoteError(code, err.message) : err)
        },
      )
    })
  }

  /**
   * A bittorrent-dht write (announce, put) goes to the nodes and tokens of the last lookup of
   * `target` when it has them (kept up to 5 minutes). If every one of those is gone (a write after
   * churn), it reached nobody: drop them and write once more, which looks the closest nodes up afresh.
   */
  private writeFresh<T>(
    target: Buffer,
    write: (done: (err: Error | null, res?: T) => void) => void,
    cb: (err: Error | null, res?: T) => void,
  ): void {
    const hex = target.toString('hex')
    const cached = this.dht._tables.get(hex) !== undefined
    write((err, res) => {
      if (!err || !cached || this.dht.destroyed) return cb(err, res)
      this.dht._tables.remove(hex)
      write(cb)
    })
  }

  /** BEP 44 get; bittorrent-dht verifies signatures and targets and keeps the highest seq. */
  get(target: Buffer, salt?: Buffer): Promise<EngineItem | null> {
    return new Promise((resolve, reject) => {
      if (this.dht.destroyed) return reject(new DestroyedError())
      this.dht.get(target, salt ? { salt } : {}, (err, value) => {
        if (err) return reject(err)
        if (!value) return resolve(null)
        resolve({ v: value.v, k: value.k, sig: value.sig, seq: value.seq, salt: value.salt })
      })
    })
  }

  /** Iterative lookup toward `target` sending `q`/`a` to each node; `visit` sees every reply. */
  closest(
    target: Buffer,
    q: string,
    a: { [key: string]: BInput },
    visit: Visit,
    signal?: AbortSignal,
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.dht.destroyed) return reject(new DestroyedError())
      if (signal?.aborted) return reject(new AbortError())
      let stopped = false
      const onAbort = (): void => {
        stopped = true
        handle?.stop()
        reject(new AbortError())
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.lastLookup = null
      this.rpc.closest(
        target,
        { q, a: { id: this.rpc.id, ...a } },
        (res, from) => {
          if (stopped) return false
          return visit(res as KrpcMessage, from as RemoteInfo) === false ? false : undefined
        },
        (err, n) => {
          signal?.removeEventListener('abort', onAbort)
          if (stopped) return
          if (err) reject(err)
          else resolve(n)
        },
      )
      const handle = this.lastLookup as LookupHandle | null
    })
  }

  /** One query to one address; rejects with KrpcRemoteError on an `e` reply. */
  query(
    to: PeerAddress,
    q: string,
    a: { [key: string]: BInput },
    seal?: KrpcOutgoingQuery['seal'],
  ): Promise<{ r: BDict; from: RemoteInfo }> {
    return new Promise((resolve, reject) => {
      if (this.dht.destroyed) return reject(new DestroyedError())
      // k-rpc hands the message object to our socket unchanged, `seal` included (krpc/types.ts).
      this.rpc.query(
        { host: to.host, port: to.port },
        { q, a: { id: this.rpc.id, ...a }, ...(seal && { seal }) },
        (err, res, from) => {
          if (err) return reject(err)
          const msg = res as KrpcMessage | null
          if (!msg || !isDict(msg.r)) return reject(new Error('empty reply'))
          resolve({ r: msg.r, from: from as RemoteInfo })
        },
      )
    })
  }

  closestContacts(target: Buffer, n: number): EngineContact[] {
    return this.rpc.nodes.closest(target, n).map((c) => toContact(c, bucketOf(this.rpc.nodes, c.id)))
  }

  /** Hot path of find_node/get_peers replies: no bucket computation. */
  closestNodes(target: Buffer, n: number): { id: Buffer; host: string; port: number }[] {
    return this.rpc.nodes.closest(target, n)
  }

  getContact(id: Buffer): EngineContact | null {
    const c = this.rpc.nodes.get(id)
    return c ? toContact(c, bucketOf(this.rpc.nodes, id)) : null
  }

  contacts(): Generator<EngineContact> {
    return allContacts(this.rpc.nodes)
  }

  buckets(): EngineBucket[] {
    return bucketList(this.rpc.nodes)
  }

  get size(): number {
    return this.rpc.nodes.count()
  }

  addNode(node: { id: Buffer; host: string; port: number }): void {
    this.dht.addNode({ id: node.id, host: node.host, port: node.port })
  }

  removeNode(id: Buffer): void {
    this.dht.removeNode(id)
  }

  /** Nodes that sent the announce tokens cached for `target` (after a lookup). */
  hasTokensFor(target: Buffer): boolean {
    return this.dht._tables.get(target.toString('hex')) !== undefined
  }

  destroy(): Promise<void> {
    return new Promise((resolve) => this.dht.destroy(() => resolve()))
  }
}
