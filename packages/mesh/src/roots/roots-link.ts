// Per-connection bb_roots state: how far into our served roots this member has been sent (so the whole
// set on link-up and the deltas after it are one cursor, with no per-link copy), paced so a large set
// stays inside the receiver's budget, and a token bucket on what the member sends: a member that
// floods has its excess dropped and counted, and past a bound the link is closed.
import type { ExtensionInstance, ExtensionSession, HandlerTable } from '@bbmesh/wire'
import type { Clock, Timer } from '../clock.js'
import { MAX_ROOTS_ENTRIES, type RootsMessages } from './codec.js'

/** Incoming messages per link: a burst, and a refill above the pace any honest sender keeps. */
const BUCKET = 100
const REFILL_PER_S = 50
const CLOSE_AFTER_DROPS = 500
/** Messages sent per flush: 8 every 250 ms is 32 a second, under the receiver's refill of 50. */
const MESSAGES_PER_FLUSH = 8

/** What a link reads from, and reports to, the service (ServedRoots). */
export interface RootsCore {
  readonly clock: Clock
  readonly flushMs: number
  readonly counters: { messagesIn: number; messagesOut: number; floodDropped: number }
  /** Our served roots in the order they were added; only ever appended to. */
  readonly served: readonly Uint8Array[]
  refuses(who: string): boolean
  linkReady(link: RootsLink): void
  linkClosed(link: RootsLink): void
  received(link: RootsLink, roots: Uint8Array[]): void
}

export class RootsLink implements ExtensionInstance<RootsMessages> {
  readonly handlers: HandlerTable<RootsMessages>
  ready = false
  /** served[0 .. sent) went out on this link. */
  private sent = 0
  private timer: Timer | undefined
  private tokens = BUCKET
  private refilled: number
  private drops = 0

  constructor(
    private readonly session: ExtensionSession<RootsMessages>,
    private readonly core: RootsCore,
  ) {
    this.refilled = core.clock.now()
    this.handlers = { roots: (m) => this.admit() && this.core.received(this, m.roots) }
  }

  /** The member behind this link: its peer id, which the gate bound to the connection. */
  get who(): string {
    return Buffer.from(this.session.peer.peerId ?? []).toString('hex')
  }

  onReady(): void {
    if (this.core.refuses(this.who)) return this.close('bb_roots: banned')
    this.ready = true
    this.core.linkReady(this)
    // The whole set first: a member that links late learns everything we served before it.
    this.schedule()
  }

  onClose(): void {
    this.ready = false
    this.timer?.cancel()
    this.timer = undefined
    this.core.linkClosed(this)
  }

  /** New roots were appended to `served`: send them with the next batch. */
  schedule(): void {
    if (!this.ready || this.timer !== undefined || this.sent >= this.core.served.length) return
    this.timer = this.core.clock.setTimeout(() => this.flush(), this.core.flushMs)
  }

  /** Sends up to MESSAGES_PER_FLUSH messages of what this member has not been sent; the rest next time. */
  flush(): void {
    this.timer?.cancel()
    this.timer = undefined
    if (!this.ready) return
    const served = this.core.served
    for (let n = 0; n < MESSAGES_PER_FLUSH && this.sent < served.length; n++) {
      const roots = served.slice(this.sent, this.sent + MAX_ROOTS_ENTRIES)
      this.sent += roots.length
      this.core.counters.messagesOut++
      this.session.send('roots', { roots })
    }
    this.schedule()
  }

  close(reason: string): void {
    this.session.peer.close(reason)
  }

  private admit(): boolean {
    const now = this.core.clock.now()
    this.tokens = Math.min(BUCKET, this.tokens + ((now - this.refilled) / 1000) * REFILL_PER_S)
    this.refilled = now
    if (this.tokens < 1) {
      this.core.counters.floodDropped++
      if (++this.drops >= CLOSE_AFTER_DROPS) this.close('bb_roots flood')
      return false
    }
    this.tokens--
    this.core.counters.messagesIn++
    return true
  }
}
