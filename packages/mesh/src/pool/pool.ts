// Sample pooling: K members crawl like one harvester K times as large. Each sighting (an infohash and
// the node or peer it came from) goes to the member that owns the infohash (pool/ownership.ts), which
// triages and fetches it from the swarm once; each DHT node is sampled by the member that owns its
// id, the others handing it over. What a member has fetched it tells every member (have), and with
// `replicate: 'all'` they take it over bb_relay, verified by hash, so every index converges to the
// pooled one with a single swarm fetch per torrent. The harvester reaches the pool through the three
// HarvestPool calls; what members send reaches the harvester through `attach`.
import type { TorrentInput } from '@bbmesh/index'
import type { ExtensionDefinition } from '@bbmesh/wire'
import { systemClock, type Clock } from '../clock.js'
import type { Harvester } from '../harvester/harvester-api.js'
import type { DhtContact, HarvestPool } from '../harvester/types.js'
import { toHex } from '../hex.js'
import { keptDirection } from '../membership/kept-link.js'
import { randomBytes } from '../random.js'
import type { MetadataRelay } from '../relay/relay.js'
import { poolProtocol, type PoolMessages, type PoolNode, type PooledSighting } from './codec.js'
import { BloomFilter } from '../pipeline/bloom-filter.js'
import { PoolLink, type PoolCore, type Unsent } from './link.js'
import { Ownership } from './ownership.js'
import type { StoredSample } from '../stored/stored-sample.js'

export type ReplicatePolicy = 'all' | 'own'

/** Where what members send goes: the harvester. */
export type PoolTarget = Pick<Harvester, 'offer' | 'addNodes'>

export interface SamplePoolOptions {
  /** Our node id (the harvester's DHT node id): the keyspace is split by it. */
  nodeId: Uint8Array
  /** The metadata relay registered on the same links: how held metadata is taken from members. */
  relay: MetadataRelay
  /** 'all' (default): take every torrent any member holds; 'own': keep only what we fetched. */
  replicate?: ReplicatePolicy
  clock?: Clock
  /** Batching delay of outgoing sightings, nodes and haves. Default 250 ms. */
  flushMs?: number
  /**
   * Partition ids derived from `nodeId` (pool/ownership.ts): more, evener regions. Default 32: the
   * largest of 8 members' regions is then about 1.25 times the mean (one id each: about twice).
   */
  points?: number
  /** Infohashes each member's have filter is sized for (about 1.8 bytes each). Default 1,000,000. */
  haveCapacity?: number
  /**
   * Also ask members none of which said it holds the infohash (default false): they may have
   * indexed it before we pooled with them, which have deltas do not tell (no catch-up sync yet).
   * Costs a round trip to up to three members per new infohash.
   */
  askUnknown?: boolean
  /**
   * The trusted full sample (stored/stored-sample.ts) on the same links: when a member links, we read
   * its DHT node's whole store and triage the infohashes we own (its storer hint included); the rest
   * their owners read themselves.
   */
  stored?: Pick<StoredSample, 'collect'>
}

export interface PoolCounters {
  /** Sightings we own (triaged here) and sightings handed to their owner. */
  owned: number
  forwarded: number
  /** Sightings members handed to us. */
  received: number
  nodesForwarded: number
  nodesReceived: number
  /** Infohashes we told members we hold, and ones they told us of. */
  haveOut: number
  haveIn: number
  /** have entries offered to the harvester for a relay fetch (replicate all). */
  replicated: number
  /** Fetches asked of members that said they hold it; the relay's own counters say how they went. */
  relayAsks: number
  messagesIn: number
  messagesOut: number
  floodDropped: number
  outDropped: number
  /** Infohashes read from members' full stores (bb_stored), and those of them we own and triaged. */
  storedRead: number
  storedOwned: number
}

const DEFAULT_POINTS = 32
/** Nodes already handed to their owner, so each goes once (bounded; a repeat after clearing is harmless). */
const MAX_FORWARDED_NODES = 200_000
/** A member's DHT store is re-read on a new link after this long (about a BEP 5 peer lifetime). */
const STORE_REREAD_MS = 30 * 60_000

export class SamplePool implements HarvestPool, PoolCore {
  readonly counters: PoolCounters = {
    owned: 0,
    forwarded: 0,
    received: 0,
    nodesForwarded: 0,
    nodesReceived: 0,
    haveOut: 0,
    haveIn: 0,
    replicated: 0,
    relayAsks: 0,
    messagesIn: 0,
    messagesOut: 0,
    floodDropped: 0,
    outDropped: 0,
    storedRead: 0,
    storedOwned: 0,
  }
  readonly clock: Clock
  readonly nodeId: Uint8Array
  private readonly selfHex: string
  readonly flushMs: number
  readonly points: number
  readonly haveCapacity: number
  readonly replicate: ReplicatePolicy
  readonly ownership: Ownership
  /** Live links by member; two at once when both dialled (the mesh closes one of them soon after). */
  private readonly links = new Map<string, PoolLink[]>()
  private readonly forwardedNodes = new Set<string>()
  private readonly storeReadAt = new Map<string, number>()
  /**
   * What each member said it holds: a Bloom filter fed by its have deltas, so memory stays fixed
   * however much it indexes (a false positive, about 1 in 1,000, costs one relay round trip).
   */
  private readonly holds = new Map<string, BloomFilter>()
  private target: PoolTarget | undefined

  constructor(private readonly opts: SamplePoolOptions) {
    this.clock = opts.clock ?? systemClock
    this.nodeId = Buffer.from(opts.nodeId)
    this.selfHex = toHex(this.nodeId)
    this.flushMs = opts.flushMs ?? 250
    this.haveCapacity = opts.haveCapacity ?? 1_000_000
    this.replicate = opts.replicate ?? 'all'
    this.points = opts.points ?? DEFAULT_POINTS
    this.ownership = new Ownership(this.nodeId, this.points)
  }

  /** Register this on the mesh's links (`registerExtensions`), beside the relay. */
  definition(): ExtensionDefinition<PoolMessages> {
    return { protocol: poolProtocol, create: (session) => new PoolLink(session, this) }
  }

  /** Where sightings, nodes and haves from members go: the harvester. */
  attach(target: PoolTarget): void {
    this.target = target
  }

  /** Members we pool with now (a live link that said hello). */
  get members(): number {
    return this.links.size
  }

  // --- HarvestPool: what the harvester asks --------------------------------------------------

  forward(s: PooledSighting): boolean {
    if (s.infohash.length !== 20 || this.links.size === 0) return false
    const link = this.ownerLink(s.infohash)
    if (link === undefined || !link.queueSighting(s)) {
      this.counters.owned++
      return false
    }
    this.counters.forwarded++
    return true
  }

  forwardNode(node: DhtContact): boolean {
    if (node.id?.length !== 20 || this.links.size === 0) return false
    const link = this.ownerLink(node.id)
    if (link === undefined) return false
    const key = `${link.who}|${node.host}:${node.port}`
    if (!this.forwardedNodes.has(key)) {
      if (this.forwardedNodes.size >= MAX_FORWARDED_NODES) this.forwardedNodes.clear()
      this.forwardedNodes.add(key)
      if (link.queueNode({ id: node.id, host: node.host, port: node.port })) this.counters.nodesForwarded++
    }
    return true
  }

  async fetch(infohash: Uint8Array): Promise<Uint8Array | undefined> {
    const holders = new Set<string>()
    const key = infohash.subarray(0, 20)
    for (const who of this.links.keys()) if (this.holds.get(who)?.has(key) === true) holders.add(who)
    const ask = this.opts.askUnknown === true
    if (holders.size > 0) {
      this.counters.relayAsks++
      const info = await this.opts.relay.fetch(infohash, { only: holders })
      if (info !== undefined || !ask) return info
    }
    if (!ask || this.opts.relay.links.size === 0) return undefined
    this.counters.relayAsks++
    return this.opts.relay.fetch(infohash)
  }

  crawlers(): number {
    return this.links.size + 1
  }

  walkTarget(random: () => number): Uint8Array {
    // With K members a random id is ours 1 time in K: 16 draws miss only when K is far above 16.
    let target = randomBytes(random, 20)
    for (let i = 0; i < 16 && !this.ownership.ownerOf(target).self; i++) target = randomBytes(random, 20)
    return target
  }

  /** Tells every member we hold these torrents (call it once the index committed them). */
  announceTorrents(torrents: readonly TorrentInput[]): void {
    const keys: Uint8Array[] = []
    for (const t of torrents) {
      if (t.infohashV1) keys.push(t.infohashV1)
      if (t.infohashV2) keys.push(t.infohashV2.subarray(0, 20))
    }
    this.announce(keys)
  }

  /** Tells every member we now hold metadata for these 20-byte hashes (v1, or v2 truncated). */
  announce(infohashes: readonly Uint8Array[]): void {
    for (const ih of infohashes) {
      if (ih.length < 20) continue
      for (const who of this.links.keys())
        if (this.linkTo(who)?.queueHave(ih) === true) this.counters.haveOut++
    }
  }

  // --- what links report ------------------------------------------------------------------

  linkReady(link: PoolLink): void {
    const ls = this.links.get(link.who) ?? []
    const first = ls.length === 0
    if (!ls.includes(link)) ls.push(link)
    this.links.set(link.who, ls)
    this.ownership.set(link.who, link.nodeId!, link.points)
    if (first && this.opts.stored && this.dueStoreRead(link.who))
      void this.readStore(link.who, memberLabel(link))
  }

  /** A member's store is read at most every STORE_REREAD_MS, so a flapping link does not re-read it. */
  private dueStoreRead(who: string): boolean {
    const now = this.clock.now()
    const last = this.storeReadAt.get(who)
    if (last !== undefined && now - last < STORE_REREAD_MS) return false
    if (this.storeReadAt.size >= 4096) this.storeReadAt.clear()
    this.storeReadAt.set(who, now)
    return true
  }

  /** A member's whole DHT store, read once per link-up; we triage what we own (see `stored`). */
  private async readStore(who: string, from: string): Promise<void> {
    await this.opts.stored!.collect(who, (infohashes, { storer }) => {
      for (const ih of infohashes) {
        this.counters.storedRead++
        if (!this.ownership.ownerOf(ih).self) continue
        this.counters.storedOwned++
        this.target?.offer(ih, 'sample', from, { pooled: true, ...(storer && { storer }) })
      }
    })
  }

  linkClosed(link: PoolLink, unsent: Unsent): void {
    const ls = this.links.get(link.who)?.filter((l) => l !== link) ?? []
    if (ls.length > 0) this.links.set(link.who, ls)
    else {
      this.links.delete(link.who)
      this.holds.delete(link.who)
      // Its region is ours or the next member's from now on: nothing else to do.
      this.ownership.delete(link.who)
    }
    // What was waiting to go out goes to the member's other link, or to whoever owns it now.
    for (const s of unsent.sightings) {
      if (this.forward(s)) continue
      const { storer, peer } = s
      this.target?.offer(s.infohash, s.via, 'local', {
        pooled: true,
        ...(storer && { storer }),
        ...(peer && { peer }),
      })
    }
    const other = this.linkTo(link.who)
    if (other === undefined) return
    for (const n of unsent.nodes) other.queueNode(n)
    for (const ih of unsent.have) other.queueHave(ih)
  }

  received(link: PoolLink, entries: PooledSighting[]): void {
    const from = memberLabel(link)
    for (const s of entries) {
      this.counters.received++
      const { storer, peer } = s
      this.target?.offer(s.infohash, s.via, from, {
        pooled: true,
        ...(storer && { storer }),
        ...(peer && { peer }),
      })
    }
  }

  receivedNodes(_link: PoolLink, nodes: PoolNode[]): void {
    this.counters.nodesReceived += nodes.length
    this.target?.addNodes(nodes)
  }

  receivedHave(link: PoolLink, infohashes: Uint8Array[]): void {
    this.counters.haveIn += infohashes.length
    let holds = this.holds.get(link.who)
    if (holds === undefined) {
      holds = new BloomFilter({ expectedItems: this.haveCapacity, falsePositiveRate: 1e-3 })
      this.holds.set(link.who, holds)
    }
    const fresh = infohashes.filter((ih) => !holds.has(ih))
    for (const ih of fresh) holds.add(ih)
    if (this.replicate !== 'all' || this.target === undefined) return
    // Every member that took a torrent says so too; offering it once per member is enough (triage
    // drops what is already indexed or in flight).
    const from = memberLabel(link)
    for (const ih of fresh)
      if (this.target.offer(ih, 'gossip', from, { pooled: true, background: true }))
        this.counters.replicated++
  }

  /** Sends what is batched now (e.g. before stopping). */
  flush(): void {
    for (const ls of this.links.values()) for (const l of ls) l.flush()
  }

  private ownerLink(key: Uint8Array): PoolLink | undefined {
    const owner = this.ownership.ownerOf(key)
    return owner.self ? undefined : this.linkTo(owner.who)
  }

  /**
   * The link to send on. While both sides' dials are up, the mesh keeps one (membership/kept-link.ts)
   * and closes the other: what is sent on that one may be lost, so avoid it. (Our pool id is our DHT
   * node id, the id the mesh compares.)
   */
  private linkTo(who: string): PoolLink | undefined {
    const ls = this.links.get(who)
    if (ls === undefined || ls.length < 2) return ls?.[0]
    const peer = ls[0]!.nodeId
    if (peer === undefined) return ls[0]
    const kept = keptDirection(this.selfHex, toHex(peer))
    return ls.find((l) => l.direction === kept) ?? ls[0]
  }
}

/** How the index records a sighting a member handed us (`from`). */
function memberLabel(link: PoolLink): string {
  return `member:${toHex(link.nodeId ?? new Uint8Array()).slice(0, 16)}`
}
