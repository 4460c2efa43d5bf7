// Which members can serve which files (issue 13, "as with infohashes"): we tell every linked member the
// BEP 52 pieces roots of the files we can serve (`serve`), and keep, per member, a Bloom filter of the
// roots it told us of, so `membersServing(root)` names the members to ask for a file before the swarm.
// A filter costs about 1.8 bytes a root whatever the member claims: each member's claims are capped at
// `capacity` (past it the filter would say yes to everything), the excess dropped and counted. Filters
// only grow while a member is linked (no withdrawal: a stale or false claim costs one request, and
// every piece is verified against its root anyway) and are forgotten when its last link closes.
import type { ExtensionDefinition } from '@bbmesh/wire'
import { systemClock, type Clock } from '../clock.js'
import { toHex } from '../hex.js'
import { Holdings } from '../pool/holdings.js'
import { ROOT_BYTES, rootsProtocol, type RootsMessages } from './codec.js'
import { RootsLink, type RootsCore } from './roots-link.js'

export interface ServedRootsOptions {
  clock?: Clock
  /** Batching delay of outgoing roots. Default 250 ms. */
  flushMs?: number
  /** Roots each member's filter is sized for and may fill at most. Default 200,000. */
  capacity?: number
  /** Roots we announce at most (the same cap our members hold us to). Default `capacity`. */
  maxServed?: number
  /** Members not listened to (e.g. `(who) => relay.isBanned(who) || pool.standing.isBanned(who)`). */
  refuses?: (who: string) => boolean
}

export interface RootsCounters {
  /** Roots we announced (each once), and ones we could not (over maxServed). */
  served: number
  servedDropped: number
  /** Roots members told us of that were new to their filter, and ones over their capacity. */
  rootsIn: number
  overCapacity: number
  /** Entries that were not 32 bytes (cannot happen through the codec; kept for the API). */
  malformed: number
  messagesIn: number
  messagesOut: number
  floodDropped: number
  /** Links refused because their member is refused. */
  refused: number
}

export class ServedRoots implements RootsCore {
  readonly counters: RootsCounters = {
    served: 0,
    servedDropped: 0,
    rootsIn: 0,
    overCapacity: 0,
    malformed: 0,
    messagesIn: 0,
    messagesOut: 0,
    floodDropped: 0,
    refused: 0,
  }
  readonly clock: Clock
  readonly flushMs: number
  readonly capacity: number
  readonly served: Uint8Array[] = []
  private readonly servedKeys = new Set<string>()
  private readonly maxServed: number
  private readonly links = new Map<string, RootsLink[]>()
  private readonly filters: Holdings
  /** Fresh roots each linked member has filled its filter with. */
  private readonly filled = new Map<string, number>()

  constructor(private readonly opts: ServedRootsOptions = {}) {
    this.clock = opts.clock ?? systemClock
    this.flushMs = opts.flushMs ?? 250
    this.capacity = opts.capacity ?? 200_000
    this.maxServed = opts.maxServed ?? this.capacity
    this.filters = new Holdings(this.capacity)
  }

  /** Register this on the mesh's links (`registerExtensions`). */
  definition(): ExtensionDefinition<RootsMessages> {
    return { protocol: rootsProtocol, create: (session) => new RootsLink(session, this) }
  }

  /** Members linked now. */
  get members(): number {
    return this.links.size
  }

  /** We can serve these files (pieces roots, 32 bytes): tell every member, now and on each new link. */
  serve(roots: Iterable<Uint8Array>): void {
    let added = false
    for (const root of roots) {
      if (root.length !== ROOT_BYTES) {
        this.counters.malformed++
        continue
      }
      const key = toHex(root)
      if (this.servedKeys.has(key)) continue
      if (this.served.length >= this.maxServed) {
        this.counters.servedDropped++
        continue
      }
      this.servedKeys.add(key)
      this.served.push(Buffer.from(root))
      this.counters.served++
      added = true
    }
    if (added) for (const ls of this.links.values()) for (const l of ls) l.schedule()
  }

  /** The linked members (peer ids, hex) whose filter has this root. */
  membersServing(root: Uint8Array): Set<string> {
    if (root.length !== ROOT_BYTES) return new Set()
    const live = [...this.links.keys()].filter((who) => !this.refusing(who))
    return this.filters.holders(root, live)
  }

  /** Sends what is batched now (e.g. before stopping). */
  flush(): void {
    for (const ls of this.links.values()) for (const l of ls) l.flush()
  }

  // --- what links report ------------------------------------------------------------------

  refuses(who: string): boolean {
    const no = this.refusing(who)
    if (no) this.counters.refused++
    return no
  }

  linkReady(link: RootsLink): void {
    const ls = this.links.get(link.who) ?? []
    if (!ls.includes(link)) ls.push(link)
    this.links.set(link.who, ls)
  }

  linkClosed(link: RootsLink): void {
    const ls = this.links.get(link.who)?.filter((l) => l !== link) ?? []
    if (ls.length > 0) return void this.links.set(link.who, ls)
    this.links.delete(link.who)
    this.filters.forget(link.who)
    this.filled.delete(link.who)
  }

  received(link: RootsLink, roots: Uint8Array[]): void {
    const who = link.who
    if (this.refusing(who) || !this.links.has(who)) return
    const room = Math.max(0, this.capacity - (this.filled.get(who) ?? 0))
    // A repeat costs no room, so only what is new to the filter is measured against it.
    const fresh = this.filters.add(who, roots.slice(0, room))
    this.counters.overCapacity += Math.max(0, roots.length - room)
    this.filled.set(who, (this.filled.get(who) ?? 0) + fresh.length)
    this.counters.rootsIn += fresh.length
  }

  private refusing(who: string): boolean {
    return this.opts.refuses?.(who) === true
  }
}
