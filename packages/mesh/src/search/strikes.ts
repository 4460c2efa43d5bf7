// Members' standing in federated search: a strike for each answer that held implausible hits, and for
// each hit whose metadata, once fetched, did not match what the member claimed (claims.ts). Weight in
// the ranking is 1 / (1 + strikes); past `banAfter` the member is banned for `banMs`. Both maps are
// bounded by the members we meet.
import type { Clock } from '../clock.js'

const MAX_MEMBERS = 4096

export class SearchStrikes {
  private readonly strikes = new Map<string, number>()
  private readonly bans = new Map<string, number>()

  constructor(
    private readonly clock: Clock,
    private readonly banAfter = 3,
    private readonly banMs = 60 * 60_000,
  ) {}

  isBanned(who: string): boolean {
    const until = this.bans.get(who)
    if (until === undefined) return false
    if (until > this.clock.now()) return true
    this.bans.delete(who)
    return false
  }

  /** 1 for an honest member, less for each strike. */
  weightOf(who: string): number {
    return 1 / (1 + (this.strikes.get(who) ?? 0))
  }

  /** Counts a strike; true when it bans the member (its links are then the caller's to close). */
  strike(who: string): boolean {
    const n = (this.strikes.get(who) ?? 0) + 1
    this.strikes.set(who, n)
    // Forget the oldest past a generous bound.
    while (this.strikes.size > MAX_MEMBERS) this.strikes.delete(this.strikes.keys().next().value as string)
    if (n < this.banAfter) return false
    this.bans.set(who, this.clock.now() + this.banMs)
    while (this.bans.size > MAX_MEMBERS) this.bans.delete(this.bans.keys().next().value as string)
    return true
  }
}
