// DhtNode: the typed public face. Query side = our dispatcher (handlers/), client side and
// routing = DhtEngine (the bittorrent-dht/k-rpc adapter), wire = KrpcSocket over a Transport.
// This file: wiring them together, lifecycle and the public methods; options and their defaults
// are in node-options.ts, the stats snapshot in node-stats.ts.
import { EventEmitter } from 'node:events'
import { randomBytes } from 'node:crypto'
import { DhtEngine } from './adapter/bittorrent-dht.js'
import type { EngineBucket, EngineContact } from './adapter/bittorrent-dht.js'
import type { BDict, BInput } from './bencode.js'
import { decodeNodes, decodePeers } from './compact.js'
import type { NodeInfo } from './compact.js'
import * as C from './constants.js'
import { Dispatcher } from './dispatcher.js'
import type { AnnounceObservation, GetPeersObservation, QueryHandler } from './handlers/types.js'
import { ItemStore } from './item-store.js'
import { KrpcSocket } from './krpc/socket.js'
import { bootstrapList, engineOptions, parseId, socketOptions } from './node-options.js'
import { toBuffer, toPeerAddress } from './input.js'
import type { AddressInput } from './input.js'
import type { DhtNodeOptions } from './node-options.js'
import { nodeStats } from './node-stats.js'
import type { DhtNodeStats } from './node-stats.js'
import { PeerStore } from './peer-store.js'
import { SampleCache, decodeSampleReply } from './sample.js'
import type { SampleResult } from './sample.js'
import { TokenManager } from './tokens.js'
import type { BoundAddress, PeerAddress } from './transport/types.js'
import { ItemClient } from './item-client.js'
import type { Clock } from './clock.js'
import type {
  DhtItem,
  MutablePutOptions,
  PointerPutOptions,
  PutResult,
  SignedItem,
  SignedPutResult,
} from './item-client.js'

export interface SampleObservation {
  from: PeerAddress
  result: SampleResult
}

export interface DhtNodeEvents {
  listening: [BoundAddress]
  get_peers: [GetPeersObservation]
  announce_peer: [AnnounceObservation]
  sample: [SampleObservation]
  warning: [Error]
}

export interface QueryOptions {
  /** Send this node id instead of ours for this one query. */
  id?: Uint8Array
  /**
   * Arguments computed from the transaction id once it is chosen (and the other arguments, `id`
   * included), merged into `a`: e.g. a MAC that binds the query to its tid. `query` only.
   */
  seal?: (t: Buffer, args: { [key: string]: BInput | undefined | null }) => { [key: string]: BInput }
}

export class DhtNode extends EventEmitter<DhtNodeEvents> {
  readonly id: Buffer
  readonly socket: KrpcSocket
  private readonly engine: DhtEngine
  private readonly peers: PeerStore
  private readonly items: ItemStore
  private readonly samples: SampleCache
  private readonly tokens: TokenManager
  private readonly clock: Clock | undefined
  private readonly bootstrapList: string[]
  private readonly itemClient: ItemClient
  private listening: Promise<BoundAddress> | null = null
  private bootstrapping: Promise<number> | null = null
  private destroying: Promise<void> | null = null
  private readonly dispatcher: Dispatcher

  constructor(opts: DhtNodeOptions = {}) {
    super()
    this.id = parseId(opts.nodeId)
    const clock = (this.clock = opts.clock)
    const now = clock ? () => clock.now() : Date.now
    const random = opts.random
    this.tokens = random ? new TokenManager(now, (n) => random.bytes(n)) : new TokenManager(now)
    this.socket = new KrpcSocket(socketOptions(opts))
    this.socket.on('warning', (err: Error) => this.emit('warning', err))
    this.bootstrapList = bootstrapList(opts)
    this.peers = new PeerStore({
      maxInfohashes: opts.maxInfohashes,
      maxPeersPerInfohash: opts.maxPeersPerInfohash,
      now,
    })
    this.items = new ItemStore({ maxItems: opts.maxItems, now })
    this.samples = new SampleCache(() => this.peers.infohashes(), {
      intervalS: opts.sampleIntervalS ?? C.SAMPLE_DEFAULT_INTERVAL_S,
      now,
      ...(random && { random: () => random.next() }),
    })
    this.engine = new DhtEngine({
      id: this.id,
      socket: this.socket,
      bootstrap: this.bootstrapList,
      ...engineOptions(opts),
      onQuery: (msg, from) => this.dispatcher.dispatch(msg, from),
    })
    this.itemClient = new ItemClient(this.engine, this.items)
    this.dispatcher = new Dispatcher(this.id, this.socket, {
      tokens: this.tokens,
      peers: this.peers,
      items: this.items,
      samples: this.samples,
      closestNodes: (target, n) => this.engine.closestNodes(target, n),
      onGetPeers: (o) => this.emit('get_peers', o),
      onAnnounce: (o) => this.emit('announce_peer', o),
    })
  }

  /** Binds (port 0 = any free port) and, with a bootstrap list, starts joining. Idempotent. */
  listen(port = 0, host = '0.0.0.0'): Promise<BoundAddress> {
    this.listening ??= this.socket.listen(port, host).then((addr) => {
      this.emit('listening', addr)
      if (this.bootstrapList.length) this.bootstrap().catch((err: Error) => this.emit('warning', err))
      return addr
    })
    return this.listening
  }

  /**
   * Joins the DHT: iterative find_node for our own id through the bootstrap list. Retries (up to
   * 3 times) while the routing table is still empty, since a lost first datagram isolates us.
   */
  bootstrap(): Promise<number> {
    this.bootstrapping ??= (async () => {
      let n = 0
      for (let attempt = 0; attempt < 3; attempt++) {
        n = await this.engine.populate()
        if (this.engine.size > 0 || this.destroying) break
      }
      return n
    })()
    return this.bootstrapping
  }

  address(): BoundAddress | null {
    return this.listening ? this.socket.address() : null
  }

  /** Closes the socket and every timer. Idempotent. */
  destroy(): Promise<void> {
    this.destroying ??= this.engine.destroy().then(() => {
      this.peers.clear()
      this.items.clear()
      this.removeAllListeners()
    })
    return this.destroying
  }

  /** Registers a handler for a new KRPC method. Built-in methods cannot be replaced. */
  handle(method: string, handler: QueryHandler): void {
    this.dispatcher.handle(method, handler)
  }

  unhandle(method: string): void {
    this.dispatcher.unhandle(method)
  }

  /** Any KRPC query to one node; resolves with the `r` dict. */
  /** `to` is `{host, port}` or `{address, port}` (what `address()` returns); bad ones reject at once. */
  async query(
    to: AddressInput,
    method: string,
    args: { [key: string]: BInput } = {},
    opts: QueryOptions = {},
  ): Promise<BDict> {
    const peer = toPeerAddress(to)
    const a = opts.id ? { ...args, id: toBuffer(opts.id, 'id', C.ID_LENGTH) } : args
    return (await this.engine.query(peer, method, a, opts.seal)).r
  }

  async ping(to: AddressInput, opts: QueryOptions = {}): Promise<{ id: Buffer; rttMs: number }> {
    const now = this.clock ? () => this.clock!.now() : () => performance.now()
    const t0 = now()
    const r = await this.query(to, 'ping', {}, opts)
    return { id: r.id as Buffer, rttMs: now() - t0 }
  }

  async findNode(to: AddressInput, target: Uint8Array, opts: QueryOptions = {}): Promise<NodeInfo[]> {
    const a = { target: toBuffer(target, 'target', C.ID_LENGTH) }
    return decodeNodes((await this.query(to, 'find_node', a, opts)).nodes)
  }

  /** BEP 51 client: one sample_infohashes query. Emits 'sample'. */
  async sample(
    to: AddressInput,
    target: Uint8Array = randomBytes(20),
    opts: QueryOptions = {},
  ): Promise<SampleResult> {
    const from = toPeerAddress(to)
    const a = { target: toBuffer(target, 'target', C.ID_LENGTH) }
    const result = decodeSampleReply(await this.query(from, 'sample_infohashes', a, opts))
    this.emit('sample', { from, result })
    return result
  }

  /** Peers for `infoHash`: those announced to us plus those found by iterative get_peers. */
  async lookup(ih: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<PeerAddress[]> {
    const infoHash = toBuffer(ih, 'infoHash', C.ID_LENGTH)
    const found = await this.engine.lookup(infoHash, opts.signal)
    const all = new Map(
      decodePeers(this.peers.get(infoHash, C.MAX_PEERS_PER_REPLY)).map((p) => [`${p.host}:${p.port}`, p]),
    )
    for (const p of found) all.set(`${p.host}:${p.port}`, p)
    return [...all.values()]
  }

  /** Announces us as a peer; port 0 (default) sends implied_port=1. Resolves with nodes reached. */
  announce(infoHash: Uint8Array, port = 0): Promise<number> {
    return this.engine.announce(toBuffer(infoHash, 'infoHash', C.ID_LENGTH), port)
  }

  /** BEP 44 immutable put; resolves with the target (SHA-1 of the bencoded value). */
  putImmutable(v: BInput): Promise<PutResult> {
    return this.itemClient.putImmutable(v)
  }

  /** BEP 44 mutable put (salt, seq, cas), signed with `keyPair`. */
  putMutable(o: MutablePutOptions): Promise<PutResult> {
    return this.itemClient.putMutable(o)
  }

  /** BEP 44 re-put of a mutable item signed by someone else (verified first; keeps it alive). */
  putSigned(item: SignedItem): Promise<SignedPutResult> {
    return this.itemClient.putSigned(item)
  }

  /** BEP 44 get; pass `salt` for salted mutable items. */
  get(target: Uint8Array, opts: { salt?: Uint8Array } = {}): Promise<DhtItem | null> {
    return this.itemClient.get(target, opts)
  }

  /** BEP 46 pointer put/get. */
  putPointer(o: PointerPutOptions): Promise<PutResult> {
    return this.itemClient.putPointer(o)
  }
  getPointer(publicKey: Uint8Array, salt?: Uint8Array): Promise<{ infoHash: Buffer; seq: number } | null> {
    return this.itemClient.getPointer(publicKey, salt)
  }

  /** Iterative lookup toward `target` with any method; `visit` sees each reply. Used by the crawler. */
  walk(
    target: Uint8Array,
    method: string,
    args: { [key: string]: BInput },
    visit: (r: BDict, from: PeerAddress) => boolean | void,
    signal?: AbortSignal,
  ): Promise<number> {
    return this.engine.closest(
      toBuffer(target, 'target', C.ID_LENGTH),
      method,
      args,
      (res, from) => (res.r ? visit(res.r, { host: from.host, port: from.port }) : undefined),
      signal,
    )
  }

  // Routing-table internals.
  get nodeIdHex(): string {
    return this.id.toString('hex')
  }
  contacts(): IterableIterator<EngineContact> {
    return this.engine.contacts()
  }
  closest(target: Uint8Array, n = C.K): EngineContact[] {
    return this.engine.closestContacts(toBuffer(target, 'target', C.ID_LENGTH), n)
  }
  buckets(): EngineBucket[] {
    return this.engine.buckets()
  }
  addNode(node: { id: Uint8Array; host: string; port: number }): void {
    this.engine.addNode({ ...node, id: toBuffer(node.id, 'id', C.ID_LENGTH) })
  }
  /**
   * Stores `peer` for `infoHash` as if it had announced itself to us (BEP 5 announce_peer without
   * the query). For simulations that lay out a DHT's content directly; a real node learns peers
   * only from announces.
   */
  storePeer(infoHash: Uint8Array, peer: AddressInput): void {
    this.peers.add(toBuffer(infoHash, 'infoHash', C.ID_LENGTH), toPeerAddress(peer))
  }
  /**
   * The infohashes this node stores peers for (announced to it, BEP 5), expired ones left out: what
   * BEP 51 samples from. Bounded by the store (`maxInfohashes`). For members that share it whole.
   */
  storedInfohashes(): Buffer[] {
    return this.peers.infohashes()
  }
  removeNode(id: Uint8Array): void {
    this.engine.removeNode(toBuffer(id, 'id'))
  }

  stats(): DhtNodeStats {
    return nodeStats(this.socket.stats, this.dispatcher.counters, {
      routingTableSize: this.engine.size,
      storedInfohashes: this.peers.size,
      storedItems: this.items.size,
    })
  }

  /** Whether an item is stored here for others (BEP 44 server side). */
  hasItem(target: Uint8Array): boolean {
    return this.items.get(toBuffer(target, 'target')) !== null
  }
}

export function createDhtNode(opts: DhtNodeOptions = {}): DhtNode {
  return new DhtNode(opts)
}
