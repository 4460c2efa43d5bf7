// What the pool thinks of each member it pools with. A member that forwards junk (sightings no honest
// member sends: an endpoint no node can have, an infohash of one repeated byte), floods, or hands
// over sightings that keep failing to fetch earns strikes; strikes fade with time. Past `demoteAfter`
// the member is demoted (its sightings wait behind our own work, its nodes and haves are ignored);
// past `banAfter` it is banned for `banMs`: its links are closed and it is not pooled with (mirroring
// the relay, which bans members whose dicts fail their hash). Every map here is bounded.
import type { Clock } from '../clock.js'
import type { PoolEndpoint, PooledSighting } from './codec.js'

export interface StandingOptions {
  /** Strikes before a member is demoted. Default 3. */
  demoteAfter?: number
  /** Strikes before it is banned. Default 6. */
  banAfter?: number
  banMs?: number
  /** One strike is forgiven per this long. Default 10 min. */
  forgiveMs?: number
  /** Outcomes of a member's sightings judged at a time. Default 64. */
  judgeEvery?: number
  /**
   * A window of outcomes in which fewer than this share fetched is a strike, if it is also under a
   * quarter of our own sightings' share (once we have a window of our own). Default 1/16: DHT
   * sightings often fail (dead swarms), but a member almost none of whose sightings fetch, where
   * ours do, is lying; where ours fail as much, the region is dead, not the member.
   */
  minFetchedShare?: number
  /** Flood drops per strike. Default 100. */
  dropsPerStrike?: number
}

export interface StandingCounters {
  /** Entries refused as junk (not offered), and messages that carried any. */
  junkEntries: number
  junkMessages: number
  /** Fetch outcomes of sightings members handed us. */
  memberFetched: number
  memberUnfetchable: number
  strikes: number
  demoted: number
  banned: number
  /** Messages, sightings or links refused because their member is demoted or banned. */
  refused: number
}

export type Verdict = 'ok' | 'demoted' | 'banned'

interface Record_ {
  strikes: number
  /** When strikes were last counted down (forgiveness is applied lazily). */
  at: number
  fetched: number
  judged: number
  drops: number
  demoted: boolean
}

const MAX_MEMBERS = 4096
/** Sightings whose outcome we still wait for, by infohash: which member handed them over. */
const MAX_ORIGINS = 50_000

export class MemberStanding {
  readonly counters: StandingCounters = {
    junkEntries: 0,
    junkMessages: 0,
    memberFetched: 0,
    memberUnfetchable: 0,
    strikes: 0,
    demoted: 0,
    banned: 0,
    refused: 0,
  }
  private readonly records = new Map<string, Record_>()
  private readonly bans = new Map<string, number>()
  private readonly origins = new Map<string, string>()
  /** Outcomes of our own sightings (no member handed them over): the baseline members are held to. */
  private readonly own = { fetched: 0, judged: 0 }

  constructor(
    private readonly clock: Clock,
    private readonly opts: StandingOptions = {},
    /** Told when a member is banned: the pool closes its links and bans it on the relay too. */
    private readonly onBan: (who: string) => void = () => undefined,
  ) {}

  isBanned(who: string): boolean {
    const until = this.bans.get(who)
    if (until === undefined) return false
    if (until > this.clock.now()) return true
    this.bans.delete(who)
    return false
  }

  isDemoted(who: string): boolean {
    const r = this.record(who, false)
    return r?.demoted === true
  }

  /** The entries worth offering; the junk ones are counted, and a message with any is a strike. */
  screen(who: string, entries: readonly PooledSighting[]): PooledSighting[] {
    // (Repeats are not junk: one batch can hold an infohash that two nodes' samples listed, each
    // with its storer. Nor is a sample without a storer: IPv6 endpoints travel as "none".)
    const ok = entries.filter(plausible)
    const junk = entries.length - ok.length
    if (junk > 0) {
      this.counters.junkEntries += junk
      this.counters.junkMessages++
      this.strike(who)
    }
    return ok
  }

  /** A link dropped one of this member's messages over its budget. */
  flooded(who: string): void {
    const r = this.record(who, true)!
    if (++r.drops % (this.opts.dropsPerStrike ?? 100) === 0) this.strike(who)
  }

  /** Remembers who handed us `infohash`, to judge it by the outcome (settled). */
  handedOver(infohash: Uint8Array, who: string): void {
    const key = Buffer.from(infohash.subarray(0, 20)).toString('latin1')
    this.origins.delete(key)
    if (this.origins.size >= MAX_ORIGINS) this.origins.delete(this.origins.keys().next().value as string)
    this.origins.set(key, who)
  }

  /** How a triaged infohash ended; judges the member that handed it over, if one did. */
  settled(infohash: Uint8Array, ok: boolean): void {
    const key = Buffer.from(infohash.subarray(0, 20)).toString('latin1')
    const who = this.origins.get(key)
    if (who === undefined) {
      this.own.judged++
      if (ok) this.own.fetched++
      // A decaying baseline: halve both past 1,024 outcomes, so it follows what the DHT is like now.
      if (this.own.judged > 1_024) {
        this.own.judged /= 2
        this.own.fetched /= 2
      }
      return
    }
    this.origins.delete(key)
    if (ok) this.counters.memberFetched++
    else this.counters.memberUnfetchable++
    const r = this.record(who, true)!
    r.judged++
    if (ok) r.fetched++
    if (r.judged < (this.opts.judgeEvery ?? 64)) return
    const every = this.opts.judgeEvery ?? 64
    const share = r.fetched / r.judged
    r.judged = r.fetched = 0
    const ours = this.own.judged >= every ? this.own.fetched / this.own.judged : 1
    if (share < (this.opts.minFetchedShare ?? 1 / 16) && share < ours / 4) this.strike(who)
  }

  /** One strike against `who`: demotes or bans it at the thresholds. */
  strike(who: string): Verdict {
    if (this.isBanned(who)) return 'banned'
    const r = this.record(who, true)!
    r.strikes++
    this.counters.strikes++
    if (r.strikes >= (this.opts.banAfter ?? 6)) {
      this.records.delete(who)
      if (this.bans.size >= MAX_MEMBERS) this.bans.delete(this.bans.keys().next().value as string)
      this.bans.set(who, this.clock.now() + (this.opts.banMs ?? 60 * 60_000))
      this.counters.banned++
      this.onBan(who)
      return 'banned'
    }
    if (!r.demoted && r.strikes >= (this.opts.demoteAfter ?? 3)) {
      r.demoted = true
      this.counters.demoted++
    }
    return r.demoted ? 'demoted' : 'ok'
  }

  /** The member's record with forgiveness applied; a demoted member whose strikes faded is restored. */
  private record(who: string, create: boolean): Record_ | undefined {
    const now = this.clock.now()
    let r = this.records.get(who)
    if (r === undefined) {
      if (!create) return undefined
      if (this.records.size >= MAX_MEMBERS) this.records.delete(this.records.keys().next().value as string)
      r = { strikes: 0, at: now, fetched: 0, judged: 0, drops: 0, demoted: false }
      this.records.set(who, r)
    }
    const forgiveMs = this.opts.forgiveMs ?? 10 * 60_000
    const forgiven = Math.floor((now - r.at) / forgiveMs)
    if (forgiven > 0) {
      r.strikes = Math.max(0, r.strikes - forgiven)
      r.at += forgiven * forgiveMs
      if (r.demoted && r.strikes < (this.opts.demoteAfter ?? 3)) r.demoted = false
    }
    return r
  }
}

/** What an honest member's harvester can send: endpoints that DHT nodes and peers can have. */
function plausible(s: PooledSighting): boolean {
  return unicast(s.storer) && unicast(s.peer) && !s.infohash.every((b) => b === s.infohash[0])
}

/** An IPv4 endpoint a node can have: not 0.0.0.0/8, multicast, reserved or broadcast. */
function unicast(e: PoolEndpoint | undefined): boolean {
  if (e === undefined) return true
  const first = Number(e.host.split('.')[0])
  return first !== 0 && first < 224
}
