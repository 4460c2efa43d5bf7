// Federated keyword search over bb_search: a query goes to every linked member at once (and to our own
// index), answers are merged as they arrive, and the deadline bounds the wait, so a slow or silent
// member never holds the answer back. Members that send hits which cannot answer the query, or hits
// whose metadata turns out different once the torrent is fetched (`checkFetched`), lose weight in the
// ranking, and past `banAfter` strikes are disconnected and not asked for `banMs`.
import type { SearchPage, SearchQuery } from '@bbmesh/index'
import type { ExtensionDefinition } from '@bbmesh/wire'
import { systemClock, type Clock } from '../clock.js'
import {
  MAX_DEADLINE_MS,
  MAX_SEARCH_LIMIT,
  searchProtocol,
  type BusyReason,
  type SearchMessages,
  type SearchRequest,
} from './codec.js'
import { HitClaims, type FetchedTorrent } from './claims.js'
import { HitMerger, type CommunityHit } from './merge.js'
import type { FileLookup, SearchCounters, SearchHost, SearchLimits } from './search-host.js'
import { SearchLink, withFlags } from './search-link.js'
import { SearchStrikes } from './strikes.js'

export interface FederatedSearchOptions {
  /** This member's index: answers members' queries and adds our own hits to ours. */
  local?: (q: SearchQuery) => Promise<SearchPage>
  /** A torrent's whole file list (e.g. `(ih) => index.get(ih).then((t) => t?.files)`), for quality checks. */
  files?: FileLookup
  clock?: Clock
  limits?: Partial<SearchLimits>
  /** Strikes (answers holding implausible hits, hits that did not match when fetched) before a ban. Default 3. */
  banAfter?: number
  banMs?: number
}

export interface CommunitySearchQuery {
  text: string
  /** Default 20, at most 100. */
  limit?: number
  minSize?: number
  maxSize?: number
  extension?: string
  seenSince?: Date
  /** Only torrents whose swarm was seen alive since (members filter; the merge checks again). */
  aliveSince?: Date
  /** How long to wait for members, ms. Default 1,500, at most 30,000. */
  deadlineMs?: number
  /** Search our own index too (default true when a local index was given). */
  includeLocal?: boolean
  signal?: AbortSignal
  /** Called as each answer arrives, with the hits not seen before in this search. */
  onHits?: (fresh: CommunityHit[], from: string) => void
}

export type MemberAnswerStatus = 'answered' | 'timeout' | 'busy' | 'closed'

export interface MemberAnswer {
  /** Peer id (hex), or 'self' for our own index. */
  member: string
  status: MemberAnswerStatus
  busyReason?: BusyReason
  /** From the query to the last page (or to the deadline). */
  latencyMs: number
  hits: number
  /** Hits dropped as implausible. */
  dropped: number
}

export interface CommunitySearchResult {
  hits: CommunityHit[]
  /** Distinct torrents merged (before `limit`). */
  total: number
  members: MemberAnswer[]
  elapsedMs: number
}

const DEFAULTS: SearchLimits = { burst: 20, perSecond: 5, maxConcurrent: 8 }

export class FederatedSearch implements SearchHost {
  readonly clock: Clock
  readonly limits: SearchLimits
  readonly links = new Set<SearchLink>()
  readonly local: ((q: SearchQuery) => Promise<SearchPage>) | undefined
  readonly files: FileLookup | undefined
  serving = 0
  readonly counters: SearchCounters = {
    queriesOut: 0,
    queriesIn: 0,
    answered: 0,
    duplicates: 0,
    rateLimited: 0,
    busyOut: 0,
    busyIn: 0,
    hitsIn: 0,
    hitsOut: 0,
    implausible: 0,
    mismatched: 0,
    timeouts: 0,
    serveErrors: 0,
    banned: 0,
  }
  private nextId = Math.floor(Math.random() * 2 ** 30)
  private readonly strikes: SearchStrikes
  /** What members' hits said of each torrent, judged when it is fetched (`checkFetched`). */
  private readonly claims = new HitClaims()

  constructor(private readonly opts: FederatedSearchOptions = {}) {
    this.clock = opts.clock ?? systemClock
    this.limits = { ...DEFAULTS, ...opts.limits }
    this.local = opts.local
    this.files = opts.files
    this.strikes = new SearchStrikes(this.clock, opts.banAfter, opts.banMs)
  }

  /** Register this on the mesh's links (`registerExtensions`). */
  definition(): ExtensionDefinition<SearchMessages> {
    return { protocol: searchProtocol, create: (session) => new SearchLink(session, this) }
  }

  /** Members we can ask now. */
  get members(): number {
    return this.byMember().size
  }

  private byMember(): Map<string, SearchLink[]> {
    const m = new Map<string, SearchLink[]>()
    for (const l of this.links) {
      if (!l.ready || this.isBanned(l.who)) continue
      const ls = m.get(l.who)
      if (ls) ls.push(l)
      else m.set(l.who, [l])
    }
    return m
  }

  isBanned(who: string): boolean {
    return this.strikes.isBanned(who)
  }

  /** 1 for an honest member, less for each strike. */
  weightOf(who: string): number {
    return this.strikes.weightOf(who)
  }

  /**
   * A torrent members returned in bb_search was fetched and verified by hash (from a member by relay,
   * or from the swarm): each member whose hit differed in name, total size or file count gets a
   * strike. Returns those members. Each torrent is judged once, by its first fetch.
   */
  checkFetched(t: FetchedTorrent): string[] {
    const { mismatched } = this.claims.judge(t)
    for (const who of mismatched) this.reportMismatch(who)
    return mismatched
  }

  /**
   * A member's bb_relay dict for an infohash failed verification: if the member had returned that
   * torrent in a search hit, the hit did not verify either, and counts against it here too.
   */
  relayFailed(member: string, infohash: Uint8Array): void {
    if (this.claims.claimed(member, Buffer.from(infohash).toString('hex'))) this.reportMismatch(member)
  }

  /** A search result of `member` did not verify when fetched: a strike, as for an implausible hit. */
  reportMismatch(member: string): void {
    this.counters.mismatched++
    this.strike(member, 'bb_search: answered with hits that did not verify')
  }

  async search(q: CommunitySearchQuery): Promise<CommunitySearchResult> {
    const started = this.clock.now()
    const limit = Math.min(MAX_SEARCH_LIMIT, Math.max(1, q.limit ?? 20))
    const deadlineMs = Math.min(MAX_DEADLINE_MS, Math.max(1, q.deadlineMs ?? 1_500))
    const merger = new HitMerger(q)
    const answers: MemberAnswer[] = []
    const emit = (from: string, fresh: CommunityHit[]): void => {
      if (fresh.length > 0) q.onHits?.(fresh, from)
    }
    const req: Omit<SearchRequest, 'id'> = {
      text: q.text,
      limit,
      deadlineMs,
      ...(q.minSize !== undefined && { minSize: q.minSize }),
      ...(q.maxSize !== undefined && { maxSize: q.maxSize }),
      ...(q.extension !== undefined && { extension: q.extension.replace(/^\./, '') }),
      ...(q.seenSince !== undefined && { seenSince: Math.floor(q.seenSince.getTime() / 1000) }),
      ...(q.aliveSince !== undefined && { aliveSince: Math.floor(q.aliveSince.getTime() / 1000) }),
    }
    const waits: Promise<void>[] = []
    for (const [who, links] of this.byMember())
      waits.push(this.askMember(who, links, req, merger, answers, emit))
    if ((q.includeLocal ?? true) && this.local) waits.push(this.askSelf(req, merger, answers, emit))
    await this.untilDone(waits, started + deadlineMs, q.signal)
    for (const a of answers) if (a.status === 'timeout') this.counters.timeouts++
    const hits = merger.top(limit, this.clock.now())
    return { hits, total: merger.size, members: answers, elapsedMs: this.clock.now() - started }
  }

  /**
   * Asks one member. While two crossed links to it are open (the mesh closes one soon), the query goes
   * on both, and the first to finish answers for the member; the merger counts it once.
   */
  private askMember(
    who: string,
    links: SearchLink[],
    req: Omit<SearchRequest, 'id'>,
    merger: HitMerger,
    answers: MemberAnswer[],
    emit: (from: string, fresh: CommunityHit[]) => void,
  ): Promise<void> {
    const sent = this.clock.now()
    const a: MemberAnswer = { member: who, status: 'timeout', latencyMs: req.deadlineMs, hits: 0, dropped: 0 }
    answers.push(a)
    return new Promise<void>((resolve) => {
      const ids = links.map(() => this.nextId++ % 2 ** 31)
      let open = links.length
      let over = false
      const end = (): void => {
        over = true
        links.forEach((l, i) => l.forget(ids[i]!))
        timer.cancel()
        resolve()
      }
      const finish = (status: MemberAnswerStatus): void => {
        if (over) return
        if (status !== 'answered' && --open > 0) return // another link may still answer
        a.status = status
        a.latencyMs = this.clock.now() - sent
        end()
      }
      // After the deadline the search has returned; late pages are not wanted.
      const timer = this.clock.setTimeout(end, req.deadlineMs + 50)
      links.forEach((link, i) => {
        let received = 0
        this.counters.queriesOut++
        link.ask(
          { ...req, id: ids[i]! },
          {
            onPage: (page) => {
              if (over) return
              // A member sending more than it was asked for is cut off at the limit.
              const room = Math.max(0, req.limit - received)
              received += page.hits.length
              const ok = page.hits.slice(0, room).filter((h) => merger.plausible(h))
              const bad = Math.min(page.hits.length, room) - ok.length
              a.hits += ok.length
              a.dropped += bad
              this.counters.hitsIn += ok.length
              this.counters.implausible += bad
              this.claims.record(who, ok)
              emit(who, merger.add(who, ok, this.weightOf(who)))
              if (bad > 0) this.strike(who)
              if (page.done) finish('answered')
            },
            onBusy: (b) => {
              this.counters.busyIn++
              a.busyReason = b.reason
              finish('busy')
            },
            onClosed: () => finish('closed'),
          },
        )
      })
    })
  }

  private async askSelf(
    req: Omit<SearchRequest, 'id'>,
    merger: HitMerger,
    answers: MemberAnswer[],
    emit: (from: string, fresh: CommunityHit[]) => void,
  ): Promise<void> {
    const started = this.clock.now()
    const a: MemberAnswer = { member: 'self', status: 'timeout', latencyMs: 0, hits: 0, dropped: 0 }
    answers.push(a)
    const page = await this.local!({
      text: req.text,
      limit: req.limit,
      ...(req.minSize !== undefined && { minSize: req.minSize }),
      ...(req.maxSize !== undefined && { maxSize: req.maxSize }),
      ...(req.extension !== undefined && { extension: req.extension }),
      ...(req.seenSince !== undefined && { seenSince: new Date(req.seenSince * 1000) }),
      ...(req.aliveSince !== undefined && { aliveSince: new Date(req.aliveSince * 1000) }),
    }).catch(() => undefined)
    a.latencyMs = this.clock.now() - started
    if (page === undefined) return
    a.status = 'answered'
    a.hits = page.hits.length
    emit('self', merger.add('self', await withFlags(page.hits, this.files), 1))
  }

  private untilDone(waits: Promise<void>[], deadline: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(done, Math.max(0, deadline - this.clock.now()))
      const onAbort = (): void => done()
      signal?.addEventListener('abort', onAbort, { once: true })
      function done(): void {
        timer.cancel()
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      void Promise.all(waits).then(done)
    })
  }

  private strike(who: string, reason = 'bb_search: answered with hits that match nothing'): void {
    if (!this.strikes.strike(who)) return
    this.counters.banned++
    for (const l of this.links) if (l.who === who) l.close(reason)
  }
}
