// Catch-up sync (bb_sync): a member that joins late, or was offline, takes in bulk what the members
// it links to hold, instead of one relay at a time as sightings come up. One pass at a time (after
// one member, the next lists mostly what we now hold, so passes in parallel would fetch twice);
// each pass resumes from the cursor saved for that member. A member that sends a dict with a wrong
// hash is banned (its links closed, neither asked nor answered) for `banMs`.
import type { ExtensionDefinition } from '@bbmesh/wire'
import { systemClock, type Clock } from '../clock.js'
import { catchUpPass, type PassContext, type PassOutcome } from './client.js'
import { MAX_SYNC_GET_BYTES, MAX_SYNC_PAGE_KEYS, syncProtocol, type SyncMessages } from './codec.js'
import { SyncLink, type SyncCore } from './link.js'
import type { CatchUpSyncOptions, SyncCounters, SyncSource } from './types.js'

const MAX_BANS = 4_096

export class CatchUpSync implements SyncCore {
  readonly counters: SyncCounters = {
    runs: 0,
    completed: 0,
    interrupted: 0,
    pagesIn: 0,
    keysListed: 0,
    skipped: 0,
    requested: 0,
    torrentsIn: 0,
    bytesIn: 0,
    notSent: 0,
    badHash: 0,
    unusable: 0,
    banned: 0,
    gaveUp: 0,
    protocolErrors: 0,
    listsServed: 0,
    getsServed: 0,
    dictsOut: 0,
    bytesOut: 0,
    floodDropped: 0,
  }
  readonly clock: Clock
  readonly memberId: Uint8Array
  readonly source: SyncSource
  readonly timeoutMs: number
  readonly links = new Set<SyncLink>()
  /** Members caught up with in this run (a member that comes back later is not re-listed). */
  private readonly caughtUp = new Set<string>()
  private readonly bans = new Map<string, number>()
  private active: { link: SyncLink; done: Promise<void> } | undefined
  private started: boolean
  private stopped = false
  private readonly pass: PassContext

  constructor(readonly opts: CatchUpSyncOptions) {
    this.clock = opts.clock ?? systemClock
    this.memberId = opts.memberId
    this.source = opts.source
    this.timeoutMs = opts.timeoutMs ?? 60_000
    this.started = opts.autoStart ?? true
    const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, Math.floor(v)))
    this.pass = {
      sink: opts.sink,
      cursors: opts.cursors,
      counters: this.counters,
      pageKeys: clamp(opts.pageKeys ?? 1_000, 1, MAX_SYNC_PAGE_KEYS),
      getBytes: clamp(opts.getBytes ?? 2 * 1024 * 1024, 64 * 1024, MAX_SYNC_GET_BYTES),
      window: clamp(opts.window ?? 2, 1, 3),
      torrentSource: opts.torrentSource ?? 'sync',
      now: () => new Date(this.clock.now()),
      stopped: () => this.stopped,
      ...(opts.onPage && { onPage: opts.onPage }),
    }
  }

  /** Register this on the mesh's links (`registerExtensions`). */
  definition(): ExtensionDefinition<SyncMessages> {
    return { protocol: syncProtocol, create: (session) => new SyncLink(session, this) }
  }

  /** Begins catching up with linked members (when created with `autoStart: false`). Idempotent. */
  start(): void {
    this.started = true
    this.pump()
  }

  /** Stops passing (the one under way ends after its current answer is stored). Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true
    // The pass under way may wait on an answer; end it now rather than at its timeout.
    for (const l of this.links) l.abortPending()
    await this.active?.done
  }

  /** Whether a pass is under way or waiting for a linked member we have not caught up with. */
  get busy(): boolean {
    return this.active !== undefined || [...this.links].some((l) => this.eligible(l))
  }

  isBanned(who: string, member: string | undefined): boolean {
    const now = this.clock.now()
    for (const k of member === undefined ? [who] : [who, `m:${member}`]) {
      const until = this.bans.get(k)
      if (until === undefined) continue
      if (until > now) return true
      this.bans.delete(k)
    }
    return false
  }

  linkReady(link: SyncLink): void {
    this.links.add(link)
    this.pump()
  }

  linkClosed(link: SyncLink): void {
    this.links.delete(link)
  }

  private eligible(l: SyncLink): boolean {
    return l.ready && !this.caughtUp.has(l.member!) && !this.isBanned(l.who, l.member)
  }

  private pump(): void {
    if (!this.started || this.stopped || this.active) return
    const link = [...this.links].find((l) => this.eligible(l))
    if (!link) return
    const member = link.member!
    this.counters.runs++
    const done = catchUpPass(link, member, this.pass)
      .catch((): PassOutcome => 'failed') // a store or cursor write failed: try again on a new link
      .then((outcome) => this.finished(link, member, outcome))
    this.active = { link, done }
  }

  private finished(link: SyncLink, member: string, outcome: PassOutcome): void {
    this.active = undefined
    if (outcome === 'done') {
      this.counters.completed++
      this.caughtUp.add(member)
    } else this.counters.interrupted++
    if (outcome === 'lied') this.ban(link, member)
    // A member that went silent is not asked again on this link (nor looped on): a new link resumes.
    if (outcome === 'timeout') link.close('bb_sync: no answer')
    if (outcome === 'stalled') this.counters.gaveUp++
    if (outcome !== 'done' && outcome !== 'closed' && outcome !== 'stopped' && outcome !== 'lied')
      this.links.delete(link)
    this.pump()
  }

  private ban(link: SyncLink, member: string): void {
    const until = this.clock.now() + (this.opts.banMs ?? 60 * 60_000)
    this.bans.set(link.who, until)
    this.bans.set(`m:${member}`, until)
    while (this.bans.size > MAX_BANS) this.bans.delete(this.bans.keys().next().value as string)
    this.counters.banned++
    for (const l of [...this.links])
      if (l.who === link.who || l.member === member) l.close('bb_sync: sent metadata with a wrong hash')
    link.close('bb_sync: sent metadata with a wrong hash')
  }
}
