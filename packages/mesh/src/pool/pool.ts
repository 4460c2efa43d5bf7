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
import type { DhtContact, HarvestPool } from '../harvester/types.js'
import { toHex } from '../hex.js'
import { keptDirection } from '../membership/kept-link.js'
import { randomBytes } from '../random.js'
import { poolProtocol, type PoolMessages, type PoolNode, type PooledSighting } from './codec.js'
import { Holdings } from './holdings.js'
import { PoolLink, type PoolCore, type Unsent } from './link.js'
import { Ownership } from './ownership.js'
import { MemberStanding } from './standing.js'
import type { PoolCounters, PoolTarget, ReplicatePolicy, SamplePoolOptions } from './types.js'

export type { PoolCounters, PoolTarget, ReplicatePolicy, SamplePoolOptions } from './types.js'

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
  private readonly holds: Holdings
  /** Strikes, demotions and bans of the members we pool with (pool/standing.ts). */
  readonly standing: MemberStanding
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
    this.holds = new Holdings(this.haveCapacity)
    this.standing = new MemberStanding(this.clock, opts.standing, (who) => this.banned(who))
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
    const holders = this.holds.holders(infohash.subarray(0, 20), this.links.keys())
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

  refuses(who: string): boolean {
    const no = this.standing.isBanned(who) || this.opts.relay.isBanned(who)
    if (no) this.standing.counters.refused++
    return no
  }

  flooded(link: PoolLink): void {
    this.standing.flooded(link.who)
  }

  /** How a triaged infohash ended: the member that handed it over is judged by it. */
  settled(infohash: Uint8Array, ok: boolean): void {
    this.standing.settled(infohash, ok)
  }

  /** The standing banned `who`: close its links, and ban it on the relay too (no dicts either way). */
  private banned(who: string): void {
    for (const l of [...(this.links.get(who) ?? [])]) l.close('bb_pool: banned for junk')
    this.opts.relay.ban(who, 'bb_pool: banned for junk')
  }

  linkReady(link: PoolLink): void {
    if (this.refuses(link.who)) return link.close('bb_pool: banned')
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
    const res = await this.opts.stored!.collect(who, (infohashes, { storer }) => {
      for (const ih of infohashes) {
        this.counters.storedRead++
        if (!this.ownership.ownerOf(ih).self) continue
        this.counters.storedOwned++
        this.target?.offer(ih, 'sample', from, { pooled: true, ...(storer && { storer }) })
      }
    })
    // Cut short (the link closed, a timeout): the next link-up reads it again.
    if (!res.complete) this.storeReadAt.delete(who)
  }

  linkClosed(link: PoolLink, unsent: Unsent): void {
    const ls = this.links.get(link.who)?.filter((l) => l !== link) ?? []
    if (ls.length > 0) this.links.set(link.who, ls)
    else {
      this.links.delete(link.who)
      this.holds.forget(link.who)
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
    const who = link.who
    // Junk is refused; a demoted member's sightings wait behind work of our own.
    const ok = this.standing.screen(who, entries)
    const background = this.standing.isDemoted(who)
    if (this.standing.isBanned(who)) return
    for (const s of ok) {
      this.counters.received++
      const { storer, peer } = s
      const offered = this.target?.offer(s.infohash, s.via, from, {
        pooled: true,
        ...(storer && { storer }),
        ...(peer && { peer }),
        ...(background && { background }),
      })
      if (offered === true) this.standing.handedOver(s.infohash, who)
    }
  }

  receivedNodes(link: PoolLink, nodes: PoolNode[]): void {
    if (this.standing.isDemoted(link.who)) return void (this.standing.counters.refused += nodes.length)
    this.counters.nodesReceived += nodes.length
    this.target?.addNodes(nodes)
  }

  receivedHave(link: PoolLink, infohashes: Uint8Array[]): void {
    this.counters.haveIn += infohashes.length
    const fresh = this.holds.add(link.who, infohashes)
    // A demoted member's claims are kept (a relay fetch verifies by hash) but not replicated from.
    if (this.standing.isDemoted(link.who)) return void (this.standing.counters.refused += fresh.length)
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
