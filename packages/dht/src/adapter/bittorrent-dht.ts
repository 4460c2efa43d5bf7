// The ONE place that touches bittorrent-dht / k-rpc / k-bucket internals. Everything else sees
// the typed DhtEngine below. What we take from the libraries: k-bucket's routing table, k-rpc's
// iterative lookup, bootstrap and node upkeep, and bittorrent-dht's client side (lookup,
// announce with cached tokens, BEP 44 get/put, bucket refresh). What we replace: the socket (our
// KrpcSocket via `krpcSocket`), and the query side (`_onquery`), which our dispatcher owns.
import DHT from 'bittorrent-dht'
import krpc from 'k-rpc'
import type { KBucketContact, KBucketNode } from 'k-bucket'
import type { RPC } from 'k-rpc'
import { isDict } from '../bencode.js'
import type { BDict, BInput } from '../bencode.js'
import { ID_LENGTH, QUESTIONABLE_AFTER_MS } from '../constants.js'
import { slabId } from '../id-slab.js'
import { AbortError, DestroyedError, KrpcRemoteError, QueueFullError } from '../errors.js'
import type { KrpcMessage, KrpcSocket, RemoteInfo } from '../krpc/socket.js'
import type { PeerAddress } from '../transport/types.js'
import type { Clock } from '../clock.js'

export interface EngineOptions {
  id: Buffer
  socket: KrpcSocket
  bootstrap: string[]
  k: number
  concurrency: number
  maxPendingQueries: number
  verify: (sig: Buffer, msg: Buffer, pk: Buffer) => boolean
  onQuery: (msg: KrpcMessage, from: RemoteInfo) => void
  /** Routing-table upkeep on this clock instead of the libraries' own (see useClock). */
  clock?: Clock
  questionableAfterMs?: number
}

export interface EngineContact {
  id: Buffer
  host: string
  port: number
  /** ms timestamp of the last message from this node, 0 if never heard from. */
  lastSeen: number
  /** Bucket index: depth of the k-bucket tree leaf holding the contact (shared prefix bits). */
  bucket: number
}

export interface EngineBucket {
  index: number
  /** true for the bucket that covers our own id (the one that may still split). */
  mine: boolean
  size: number
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

/** Stands in for bittorrent-dht's peer store: its lookup() merges local peers, which live in ours. */
const NO_PEERS: DHT['_peers'] = { get: () => [], add: () => {}, destroy: () => {} }

type Visit = (res: KrpcMessage, from: RemoteInfo) => boolean | void

export class DhtEngine {
  private readonly dht: DHT
  private readonly rpc: RPC

  constructor(opts: EngineOptions) {
    this.rpc = krpc({
      id: opts.id,
      idLength: ID_LENGTH,
      krpcSocket: opts.socket,
      bootstrap: opts.bootstrap.length ? opts.bootstrap : false,
      k: opts.k,
      concurrency: opts.concurrency,
    })
    // Contacts keep their id in a shared slab (id-slab.ts); a contact re-seen replaces the stored
    // object, which then takes over the incumbent's slab id and host string instead of new copies.
    this.rpc.nodes.on('added', (c: KBucketContact) => void (c.id = slabId(c.id)))
    this.rpc.nodes.on('updated', (old: KBucketContact, c: KBucketContact) => {
      if (c === old) return
      c.id = old.id
      if (c.host === old.host) c.host = old.host
    })
    // k-rpc queues queries beyond `concurrency` in an unbounded array; bound it here.
    const rpc = this.rpc
    const query = rpc.query.bind(rpc)
    rpc.query = (node, msg, cb) => {
      if (rpc.pending.length >= opts.maxPendingQueries) {
        if (cb) process.nextTick(cb, new QueueFullError(), null, node)
        return
      }
      query(node, msg, cb)
    }
    // bootstrap:false stops bittorrent-dht from populating before we have bound; we call
    // populate() ourselves after listen().
    this.dht = new DHT({ krpc: rpc, bootstrap: false, verify: opts.verify, host: false })
    // Every concurrent lookup listens for 'peer' on this one emitter; many at once is by design.
    this.dht.setMaxListeners(0)
    // The query side is ours: bittorrent-dht drops unknown methods, lets get_peers overflow a
    // datagram and skips BEP 44 errors 206/207, so its handler is replaced by our dispatcher.
    this.dht._onquery = (msg, from) => opts.onQuery(msg as KrpcMessage, from as RemoteInfo)
    // Its token secrets and peer store only serve those handlers (tokens.ts and peer-store.ts do
    // it for us), so each node would hold a 5-minute timer and an empty record-cache for nothing.
    clearInterval(this.dht._interval)
    this.dht._peers.destroy()
    this.dht._peers = NO_PEERS
    this.dht.on('warning', () => {})
    this.dht.on('error', () => {})
    if (opts.clock) this.useClock(opts.clock, opts.questionableAfterMs ?? QUESTIONABLE_AFTER_MS, opts.socket)
  }

  /**
   * k-rpc and bittorrent-dht keep the routing table on Date.now, Math.random and Node's timers,
   * which would leak wall time into a virtual-time simulation. On an injected clock we take that
   * upkeep over: a contact's `seen` is clock time (stamped after k-rpc's own), a full bucket pings
   * its contacts not seen for `questionableMs`, one at a time, and swaps in the newcomer for the
   * first that fails to answer (bittorrent-dht's rule), and the periodic bucket check (a random
   * 1–1.5 min timer that pings the whole table after 15 quiet minutes) is off.
   */
  private useClock(clock: Clock, questionableMs: number, socket: KrpcSocket): void {
    const rpc = this.rpc
    const touch = (id: unknown): void => {
      if (!Buffer.isBuffer(id)) return
      const c = rpc.nodes.get(id)
      if (c) c.seen = clock.now()
    }
    rpc.nodes.on('added', (c: KBucketContact) => {
      // addNode() contacts have never been heard from; k-rpc stamps the others with Date.now.
      if (c.seen !== undefined) c.seen = clock.now()
    })
    socket.on('query', (msg: KrpcMessage) => touch(msg.a?.id))
    socket.on('response', (msg: KrpcMessage) => touch(msg.r?.id))
    rpc.removeAllListeners('ping')
    let checking = false
    rpc.on('ping', (older: KBucketContact[], swap: (dead: KBucketContact) => void) => {
      // One check at a time; a newcomer arriving meanwhile is dropped, as when the old contacts answer.
      if (checking) return
      const stale = older.filter((c) => clock.now() - (c.seen ?? 0) > questionableMs)
      checking = true
      const next = (): void => {
        const c = stale.pop()
        if (!c || this.dht.destroyed) return void (checking = false)
        rpc.query({ host: c.host, port: c.port }, { q: 'ping', a: {} }, (err, res) => {
          const m = res as KrpcMessage | null
          const r = m && isDict(m.r) ? m.r : null
          if (err || !r || !Buffer.isBuffer(r.id) || !r.id.equals(c.id)) {
            checking = false
            return swap(c)
          }
          c.seen = clock.now()
          next()
        })
      }
      next()
    })
    this.dht._setBucketCheckInterval = () => undefined
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
      const onPeer = (peer: PeerAddress, ih: Buffer): void => {
        if (ih.equals(infoHash)) seen.set(`${peer.host}:${peer.port}`, { host: peer.host, port: peer.port })
      }
      const done = (err: Error | null): void => {
        this.dht.off('peer', onPeer)
        signal?.removeEventListener('abort', onAbort)
        if (err) reject(err)
        else resolve([...seen.values()])
      }
      const onAbort = (): void => {
        abort()
        done(new AbortError())
      }
      this.dht.on('peer', onPeer)
      const abort = this.dht.lookup(infoHash, (err) => done(err))
      if (signal?.aborted) onAbort()
      else signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** BEP 5 announce_peer to the closest nodes (looks up first when no tokens are cached). */
  announce(infoHash: Buffer, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.dht.destroyed) return reject(new DestroyedError())
      this.dht.announce(infoHash, port, (err, n) => (err ? reject(err) : resolve(n ?? 0)))
    })
  }

  /** BEP 44 put; resolves with the target and how many nodes stored it. */
  put(item: EnginePut): Promise<{ target: Buffer; stored: number }> {
    return new Promise((resolve, reject) => {
      if (this.dht.destroyed) return reject(new DestroyedError())
      this.dht.put(item, (err, target, n) => {
        if (!err) return resolve({ target, stored: n })
        const code = (err as { code?: unknown }).code
        reject(typeof code === 'number' ? new KrpcRemoteError(code, err.message) : err)
      })
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
        reject(new AbortError())
      }
      signal?.addEventListener('abort', onAbort, { once: true })
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
    })
  }

  /** One query to one address; rejects with KrpcRemoteError on an `e` reply. */
  query(to: PeerAddress, q: string, a: { [key: string]: BInput }): Promise<{ r: BDict; from: RemoteInfo }> {
    return new Promise((resolve, reject) => {
      if (this.dht.destroyed) return reject(new DestroyedError())
      this.rpc.query(
        { host: to.host, port: to.port },
        { q, a: { id: this.rpc.id, ...a } },
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
    return this.rpc.nodes.closest(target, n).map((c) => this.toContact(c, this.bucketOf(c.id)))
  }

  /** Hot path of find_node/get_peers replies: no bucket computation. */
  closestNodes(target: Buffer, n: number): { id: Buffer; host: string; port: number }[] {
    return this.rpc.nodes.closest(target, n)
  }

  getContact(id: Buffer): EngineContact | null {
    const c = this.rpc.nodes.get(id)
    return c ? this.toContact(c, this.bucketOf(id)) : null
  }

  *contacts(): Generator<EngineContact> {
    for (const { node, depth } of this.leaves()) {
      for (const c of node.contacts ?? []) yield this.toContact(c, depth)
    }
  }

  buckets(): EngineBucket[] {
    const out: EngineBucket[] = []
    for (const { node, depth } of this.leaves())
      out.push({ index: depth, mine: !node.dontSplit, size: node.contacts?.length ?? 0 })
    return out.sort((x, y) => x.index - y.index)
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

  private toContact(c: KBucketContact, bucket: number): EngineContact {
    return { id: c.id, host: c.host, port: c.port, lastSeen: c.seen ?? 0, bucket }
  }

  private bucketOf(id: Buffer): number {
    let node: KBucketNode = this.rpc.nodes.root
    let depth = 0
    while (node.contacts === null) {
      const bit = (id[depth >> 3]! >> (7 - (depth & 7))) & 1
      node = bit ? node.right : node.left
      depth++
    }
    return depth
  }

  private *leaves(): Generator<{ node: KBucketNode; depth: number }> {
    const stack: { node: KBucketNode; depth: number }[] = [{ node: this.rpc.nodes.root, depth: 0 }]
    while (stack.length) {
      const { node, depth } = stack.pop()!
      if (node.contacts === null) {
        stack.push({ node: node.right, depth: depth + 1 }, { node: node.left, depth: depth + 1 })
      } else yield { node, depth }
    }
  }
}
