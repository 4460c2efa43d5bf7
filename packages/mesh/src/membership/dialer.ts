// Which candidate members to dial, and when. Candidates come from the rendezvous swarm (addresses
// only: anyone may have announced there), from member gossip and from invite hints. A candidate that
// failed the gate is a stranger or of another community: it is not dialled again for a long backoff.
// One that could not be reached gets a short, doubling one. Dials are capped per minute so a swarm
// full of strangers cannot turn us into a port scanner.
import type { PeerAddress } from '@bbmesh/wire'
import type { Clock } from '../clock.js'

export type DialOutcome = 'member' | 'gate-failed' | 'unreachable'

export interface DialerOptions {
  clock: Clock
  /** Opens a connection and resolves when the gate opened, failed, or the peer proved unreachable. */
  dial(addr: PeerAddress): Promise<DialOutcome>
  /** Whether we want another connection now (below target, or the candidate is a known member). */
  wantsMore(): boolean
  /** Whether this address is ourselves or already connected. */
  skip(addr: PeerAddress): boolean
  dialsPerMinute?: number
  /** Not redialled for this long after failing the gate. Default 30 min. */
  gateBackoffMs?: number
  /** First backoff after an unreachable dial (doubles, up to gateBackoffMs). Default 30 s. */
  unreachableBackoffMs?: number
  /** Dials in flight at once. Default 4. */
  parallel?: number
  /** Candidates waiting at most (the rest are dropped and counted). Default 256. */
  maxQueued?: number
}

export interface DialerCounters {
  dials: number
  members: number
  gateFailures: number
  unreachable: number
  /** Candidates skipped because they were backing off. */
  backedOff: number
  /** Dials deferred by the per-minute cap. */
  rateLimited: number
  queueDropped: number
}

interface Backoff {
  until: number
  failures: number
}

const key = (a: PeerAddress): string => `${a.host}|${a.port}`

export class Dialer {
  readonly counters: DialerCounters = {
    dials: 0,
    members: 0,
    gateFailures: 0,
    unreachable: 0,
    backedOff: 0,
    rateLimited: 0,
    queueDropped: 0,
  }
  private queue = new Map<string, PeerAddress>()
  private readonly backoff = new Map<string, Backoff>()
  private readonly recent: number[] = []
  private readonly inFlight = new Set<string>()
  private closed = false
  private retryTimer: { cancel(): void } | undefined

  constructor(private readonly opts: DialerOptions) {}

  /** Offers candidates; the preferred ones (known members) jump the queue. */
  offer(addrs: Iterable<PeerAddress>, preferred = false): void {
    for (const a of addrs) {
      const k = key(a)
      if (this.inFlight.has(k) || this.opts.skip(a)) continue
      if (preferred) this.queue.delete(k)
      else if (this.queue.has(k)) continue
      if (this.queue.size >= (this.opts.maxQueued ?? 256)) {
        this.counters.queueDropped++
        if (!preferred) continue
        // A known member outranks a swarm stranger: the newest queued candidate makes room.
        this.queue.delete([...this.queue.keys()].pop()!)
      }
      if (preferred) this.queue = new Map([[k, a], ...this.queue])
      else this.queue.set(k, a)
    }
    this.pump()
  }

  /** Whether `addr` is backing off after a failed gate (it is a stranger to us). */
  isBackingOff(addr: PeerAddress): boolean {
    return (this.backoff.get(key(addr))?.until ?? 0) > this.opts.clock.now()
  }

  close(): void {
    this.closed = true
    this.queue.clear()
    this.retryTimer?.cancel()
  }

  pump(): void {
    if (this.closed) return
    const now = this.opts.clock.now()
    while (this.recent.length > 0 && now - this.recent[0]! >= 60_000) this.recent.shift()
    for (const [k, a] of this.queue) {
      if (this.inFlight.size >= (this.opts.parallel ?? 4) || !this.opts.wantsMore()) return
      this.queue.delete(k)
      if (this.opts.skip(a)) continue
      if ((this.backoff.get(k)?.until ?? 0) > now) {
        this.counters.backedOff++
        continue
      }
      if (this.recent.length >= (this.opts.dialsPerMinute ?? 30)) {
        this.counters.rateLimited++
        // Back at the head, where it was: appended, a deferred member would wait behind every stranger.
        this.queue = new Map([[k, a], ...this.queue])
        this.scheduleRetry(60_000 - (now - this.recent[0]!))
        return
      }
      this.recent.push(now)
      this.start(k, a)
    }
  }

  private start(k: string, a: PeerAddress): void {
    this.inFlight.add(k)
    this.counters.dials++
    this.opts
      .dial(a)
      .catch((): DialOutcome => 'unreachable')
      .then((outcome) => {
        this.inFlight.delete(k)
        this.settle(k, outcome)
        this.pump()
      })
  }

  private settle(k: string, outcome: DialOutcome): void {
    const now = this.opts.clock.now()
    const gateMs = this.opts.gateBackoffMs ?? 30 * 60_000
    if (outcome === 'member') {
      this.counters.members++
      this.backoff.delete(k)
      return
    }
    const prev = this.backoff.get(k)
    const failures = (prev?.failures ?? 0) + 1
    if (outcome === 'gate-failed') {
      this.counters.gateFailures++
      this.backoff.set(k, { until: now + gateMs, failures })
    } else {
      this.counters.unreachable++
      const base = this.opts.unreachableBackoffMs ?? 30_000
      this.backoff.set(k, { until: now + Math.min(gateMs, base * 2 ** (failures - 1)), failures })
    }
    // Bounded: forget the oldest backoffs first (a Map keeps insertion order).
    while (this.backoff.size > 4096) this.backoff.delete(this.backoff.keys().next().value as string)
  }

  private scheduleRetry(ms: number): void {
    if (this.retryTimer) return
    this.retryTimer = this.opts.clock.setTimeout(
      () => {
        this.retryTimer = undefined
        this.pump()
      },
      Math.max(1, ms),
    )
  }
}
