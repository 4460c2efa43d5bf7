// The trusted full sample: over bb_stored a member reads, page by page, every infohash another member's
// DHT node stores (docs/PROTOCOL.md, "bb_stored"). A stranger still gets BEP 51's 20 random samples
// per interval from the same node; only the gate decides who sees the whole store. Serving is budgeted
// per link; reading is bounded per collect and hands each page on as it arrives (nothing accumulates).
import type { ExtensionDefinition, ExtensionInstance, ExtensionSession, HandlerTable } from '@bbmesh/wire'
import { systemClock, type Clock } from '../clock.js'
import { MAX_STORED_PAGE, storedProtocol, type StoredMessages, type StoredPage } from './codec.js'

/** What we serve: our DHT node's store (@bbmesh/dht's DhtNode has storedInfohashes()). */
export interface StoredSource {
  storedInfohashes(): readonly Uint8Array[]
  /** Our DHT node's UDP port, said in every page so the reader can get_peers it as the storer. */
  readonly dhtPort: number
}

export interface StoredSampleOptions {
  /** Absent: we answer with empty pages (a member without a DHT node of its own). */
  source?: StoredSource
  clock?: Clock
  /** Per page asked. Default 10 s. */
  timeoutMs?: number
  /** Page size we ask for (1..500). Default 500. */
  pageSize?: number
  /** Most infohashes one collect reads from a member (DHT stores hold about 10,000). Default 100,000. */
  maxPerCollect?: number
  /** How old the sorted copy of our store served from may get. Default 5 s. */
  snapshotMs?: number
}

export interface StoredCounters {
  asksIn: number
  pagesOut: number
  infohashesOut: number
  /** Asks over a link's budget: dropped unanswered. */
  floodDropped: number
  collects: number
  pagesIn: number
  infohashesIn: number
  /** Pages that broke the cursor (an entry not after it) or never came: the collect stopped there. */
  badPages: number
  timeouts: number
}

/** Where a page came from: the member's DHT node (for get_peers). */
export interface StoredFrom {
  who: string
  storer?: { host: string; port: number }
}

export interface CollectResult {
  infohashes: number
  /** The member said there is nothing more; false when a bound, a timeout or a close stopped it. */
  complete: boolean
}

/** A reader pages a store in a second or two; the budget stops a member making us sort in a loop. */
const BUCKET = 64
const REFILL_PER_S = 16
/** The sorted copy of our store served from is rebuilt at most this often (by default). */
const SNAPSHOT_MS = 5_000

type Answer = StoredPage | undefined

export class StoredSample {
  readonly counters: StoredCounters = {
    asksIn: 0,
    pagesOut: 0,
    infohashesOut: 0,
    floodDropped: 0,
    collects: 0,
    pagesIn: 0,
    infohashesIn: 0,
    badPages: 0,
    timeouts: 0,
  }
  readonly clock: Clock
  readonly links = new Set<StoredLink>()
  private snapshot: { at: number; sorted: Buffer[] } | undefined

  constructor(readonly opts: StoredSampleOptions = {}) {
    this.clock = opts.clock ?? systemClock
  }

  /** Register this on the mesh's links (`registerExtensions`). */
  definition(): ExtensionDefinition<StoredMessages> {
    return { protocol: storedProtocol, create: (session) => new StoredLink(session, this) }
  }

  /** Our store in byte order, from a snapshot at most `snapshotMs` old. */
  sorted(): Buffer[] {
    const now = this.clock.now()
    if (this.snapshot === undefined || now - this.snapshot.at >= (this.opts.snapshotMs ?? SNAPSHOT_MS)) {
      const all = (this.opts.source?.storedInfohashes() ?? []).filter((ih) => ih.length === 20)
      this.snapshot = { at: now, sorted: all.map((ih) => Buffer.from(ih)).sort(Buffer.compare) }
    }
    return this.snapshot.sorted
  }

  /**
   * Reads every infohash the member `who` (its peer id, hex) stores, a page at a time, handing each
   * page to `onPage` as it arrives. Resolves how many were read and whether the end was reached.
   */
  async collect(
    who: string,
    onPage: (infohashes: Uint8Array[], from: StoredFrom) => void,
  ): Promise<CollectResult> {
    this.counters.collects++
    const max = this.opts.maxPerCollect ?? 100_000
    const limit = Math.max(1, Math.min(MAX_STORED_PAGE, this.opts.pageSize ?? MAX_STORED_PAGE))
    let cursor: Uint8Array | undefined
    let read = 0
    while (read < max) {
      // The newest live link to the member; when two crossed dials are up the mesh soon closes one,
      // so a page lost with a closing link is asked again once on the link that stays.
      let link: StoredLink | undefined
      let page: StoredPage | undefined
      for (let attempt = 0; attempt < 2 && page === undefined; attempt++) {
        link = [...this.links].reverse().find((l) => l.ready && l.who === who)
        if (link === undefined) break
        page = await link.ask(cursor, Math.min(limit, max - read))
        if (link.ready) break // it timed out on a live link: do not ask again
      }
      if (link === undefined || page === undefined) return { infohashes: read, complete: false }
      const first = page.infohashes[0]
      if (cursor !== undefined && first !== undefined && Buffer.compare(first, cursor) <= 0) {
        this.counters.badPages++
        return { infohashes: read, complete: false }
      }
      this.counters.pagesIn++
      this.counters.infohashesIn += page.infohashes.length
      read += page.infohashes.length
      const host = link.remoteHost
      onPage(page.infohashes, { who, ...(page.dhtPort > 0 && { storer: { host, port: page.dhtPort } }) })
      const last = page.infohashes.at(-1)
      if (!page.more || last === undefined) return { infohashes: read, complete: true }
      cursor = last
    }
    return { infohashes: read, complete: false }
  }
}

class StoredLink implements ExtensionInstance<StoredMessages> {
  readonly handlers: HandlerTable<StoredMessages>
  ready = false
  private nextId = 1
  private readonly pending = new Map<number, (a: Answer) => void>()
  private tokens = BUCKET
  private refilled: number

  constructor(
    private readonly session: ExtensionSession<StoredMessages>,
    private readonly owner: StoredSample,
  ) {
    this.refilled = owner.clock.now()
    this.handlers = {
      ask: (a) => this.serve(a.id, a.cursor, a.limit),
      page: (p) => this.answer(p.id, p),
    }
  }

  /** The member behind this link: its peer id, which the gate bound to the connection. */
  get who(): string {
    return Buffer.from(this.session.peer.peerId ?? []).toString('hex')
  }

  get remoteHost(): string {
    return this.session.peer.remoteAddress
  }

  onReady(): void {
    this.ready = true
    this.owner.links.add(this)
  }

  onClose(): void {
    this.ready = false
    this.owner.links.delete(this)
    for (const resolve of this.pending.values()) resolve(undefined)
    this.pending.clear()
  }

  ask(cursor: Uint8Array | undefined, limit: number): Promise<Answer> {
    const id = this.nextId++
    return new Promise<Answer>((resolve) => {
      const timer = this.owner.clock.setTimeout(() => {
        this.pending.delete(id)
        this.owner.counters.timeouts++
        resolve(undefined)
      }, this.owner.opts.timeoutMs ?? 10_000)
      this.pending.set(id, (a) => {
        timer.cancel()
        resolve(a)
      })
      this.session.send('ask', { id, ...(cursor && { cursor: Buffer.from(cursor) }), limit })
    })
  }

  private answer(id: number, page: StoredPage): void {
    const resolve = this.pending.get(id)
    this.pending.delete(id)
    resolve?.(page) // a page nobody asked for is ignored
  }

  private serve(id: number, cursor: Uint8Array | undefined, limit: number): void {
    const c = this.owner.counters
    const now = this.owner.clock.now()
    this.tokens = Math.min(BUCKET, this.tokens + ((now - this.refilled) / 1000) * REFILL_PER_S)
    this.refilled = now
    if (this.tokens < 1) {
      c.floodDropped++
      return
    }
    this.tokens--
    c.asksIn++
    const all = this.owner.sorted()
    const start = cursor === undefined ? 0 : firstAfter(all, cursor)
    const infohashes = all.slice(start, start + limit)
    c.pagesOut++
    c.infohashesOut += infohashes.length
    this.session.send('page', {
      id,
      infohashes,
      more: start + infohashes.length < all.length,
      total: all.length,
      dhtPort: this.owner.opts.source?.dhtPort ?? 0,
    })
  }
}

/** Index of the first entry of `sorted` strictly after `cursor` (binary search). */
function firstAfter(sorted: readonly Buffer[], cursor: Uint8Array): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (Buffer.compare(sorted[mid]!, cursor) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
