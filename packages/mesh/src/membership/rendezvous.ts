// The rendezvous swarm (docs/PROTOCOL.md, "Rendezvous"): a member announces its wire port on the day's
// keyed infohash and runs get_peers on it to find candidates. Lookups start often (a new member wants
// its community quickly) and back off to the BEP 5 re-announce interval; a new day (or the overlap
// window around midnight) is announced at once. Time and the day come from the mesh clock, so the
// midnight change is testable on a virtual clock.
import type { PeerAddress } from '@bbmesh/wire'
import type { Clock, Timer } from '../clock.js'
import { rendezvousDays, rendezvousInfoHash, utcDay } from '../community/rendezvous-hash.js'

/** The DHT operations the rendezvous needs; @bbmesh/dht's DhtNode fits. */
export interface RendezvousDht {
  announce(infoHash: Uint8Array, port: number): Promise<number>
  lookup(infoHash: Uint8Array): Promise<PeerAddress[]>
}

export interface RendezvousOptions {
  dht: RendezvousDht
  rendezvousKey: Uint8Array
  clock: Clock
  /** Our wire listener's port, announced on the swarm (read at each announce). */
  wirePort(): number
  onCandidates(addrs: PeerAddress[]): void
  /** BEP 5 peers expire after about 30 min: re-announce every 15. */
  announceIntervalMs?: number
  /** First lookup gap; doubles up to announceIntervalMs. Default 5 s. */
  lookupMinMs?: number
  /** Window around UTC midnight in which both days are used. Default 1 h. */
  overlapMs?: number
}

export interface RendezvousCounters {
  announces: number
  announceFailures: number
  lookups: number
  lookupFailures: number
  candidates: number
  /** Cycles run; with the current days, for tests and status lines. */
  cycles: number
}

const DAY_MS = 86_400_000

export class Rendezvous {
  readonly counters: RendezvousCounters = {
    announces: 0,
    announceFailures: 0,
    lookups: 0,
    lookupFailures: 0,
    candidates: 0,
    cycles: 0,
  }
  private readonly lastAnnounce = new Map<string, number>()
  private lookupGap: number
  private timer: Timer | undefined
  private running: Promise<void> | undefined
  private closed = false

  constructor(private readonly opts: RendezvousOptions) {
    this.lookupGap = opts.lookupMinMs ?? 5_000
  }

  private get announceMs(): number {
    return this.opts.announceIntervalMs ?? 15 * 60_000
  }

  /** The days in use now (today, plus the neighbour near midnight). */
  days(): string[] {
    return rendezvousDays(this.opts.clock.now(), this.opts.overlapMs ?? 60 * 60_000)
  }

  /**
   * Infohashes an inbound member may handshake with: yesterday, today and tomorrow, so a member whose
   * clock is off by less than a day still gets in (the gate decides membership, not the hash).
   */
  acceptedHashes(): Buffer[] {
    const now = this.opts.clock.now()
    return [now - DAY_MS, now, now + DAY_MS].map((t) =>
      rendezvousInfoHash(this.opts.rendezvousKey, utcDay(t)),
    )
  }

  /** Today's infohash: what we dial members with. */
  todayHash(): Buffer {
    return rendezvousInfoHash(this.opts.rendezvousKey, utcDay(this.opts.clock.now()))
  }

  start(): void {
    this.schedule(0)
  }

  /** Resets the lookup backoff (e.g. when every link dropped and we need the swarm again). */
  hurry(): void {
    if (this.closed || this.lookupGap === (this.opts.lookupMinMs ?? 5_000)) return
    this.lookupGap = this.opts.lookupMinMs ?? 5_000
    this.schedule(0)
  }

  /** Runs one cycle now (announce what is due, look up every current day). */
  runOnce(): Promise<void> {
    this.running ??= this.cycle().finally(() => (this.running = undefined))
    return this.running
  }

  async close(): Promise<void> {
    this.closed = true
    this.timer?.cancel()
    await this.running?.catch(() => undefined)
  }

  private schedule(ms: number): void {
    if (this.closed) return
    this.timer?.cancel()
    this.timer = this.opts.clock.setTimeout(() => {
      void this.runOnce().then(() => {
        this.lookupGap = Math.min(this.announceMs, this.lookupGap * 2)
        this.schedule(this.nextDelay())
      })
    }, ms)
  }

  /** The next lookup, or sooner if a new day starts (or its overlap window opens) first. */
  private nextDelay(): number {
    const now = this.opts.clock.now()
    const overlap = this.opts.overlapMs ?? 60 * 60_000
    const sinceMidnight = now % DAY_MS
    const edges = [DAY_MS - overlap - sinceMidnight, DAY_MS - sinceMidnight].filter((d) => d > 0)
    return Math.max(1, Math.min(this.lookupGap, ...edges))
  }

  private async cycle(): Promise<void> {
    const days = this.days()
    await Promise.all(days.map((day) => this.visit(day)))
    this.counters.cycles++
    // Forget days no longer in use, so the map stays at most three entries.
    for (const d of this.lastAnnounce.keys()) if (!days.includes(d)) this.lastAnnounce.delete(d)
  }

  private async visit(day: string): Promise<void> {
    if (this.closed) return
    const ih = rendezvousInfoHash(this.opts.rendezvousKey, day)
    const now = this.opts.clock.now()
    const last = this.lastAnnounce.get(day)
    if (last === undefined || now - last >= this.announceMs) {
      this.lastAnnounce.set(day, now)
      try {
        await this.opts.dht.announce(ih, this.opts.wirePort())
        this.counters.announces++
      } catch {
        this.counters.announceFailures++
        this.lastAnnounce.delete(day)
      }
    }
    if (this.closed) return
    try {
      const peers = await this.opts.dht.lookup(ih)
      this.counters.lookups++
      this.counters.candidates += peers.length
      if (!this.closed && peers.length > 0) this.opts.onCandidates(peers)
    } catch {
      this.counters.lookupFailures++
    }
  }
}
