// The members a node knows, with liveness. Direct knowledge (a gated connection's hello) beats gossip;
// gossip only ever makes a record fresher. Each record carries a version that rises whenever it is worth
// telling others (new, moved, left, or a periodic heartbeat of a connected member), so a link sends
// only what changed since its cursor: the deltas of ut_pex, keyed by version instead of by peer list.
import type { Clock } from '../clock.js'
import type { MemberEntry, MemberHello } from './codec.js'

export interface MemberRecord {
  readonly nodeId: Buffer
  readonly idHex: string
  host: string
  wirePort: number
  dhtPort: number
  caps: number
  feedId: Buffer | undefined
  /** Clock ms when we (or the freshest gossip) last heard of it. */
  lastSeen: number
  firstSeen: number
  /** A gated connection to it is open now. */
  connected: boolean
  /** Clock ms of its goodbye; the record stays as a tombstone for `goneAfterMs`. */
  leftAt: number | undefined
  version: number
  /** Clock ms of the last version bump (heartbeats of connected members are spaced by it). */
  bumpedAt: number
}

export interface MemberTableOptions {
  selfId: Uint8Array
  clock: Clock
  /** Records beyond this are refused (or the stalest unconnected one makes room). Default 1024. */
  maxMembers?: number
  /** A member nobody has heard of for this long is gone. Default 10 min. */
  goneAfterMs?: number
}

export interface MemberTableCounters {
  added: number
  expired: number
  left: number
  /** Gossip entries refused: stale, about ourselves, or the table was full of fresher members. */
  gossipIgnored: number
  tableFull: number
}

export interface MemberChanges {
  added: MemberRecord[]
  left: MemberRecord[]
  /** The cursor to pass next time. */
  cursor: number
}

export class MemberTable {
  private readonly records = new Map<string, MemberRecord>()
  private readonly selfHex: string
  private readonly max: number
  readonly goneAfterMs: number
  private versionClock = 0
  readonly counters: MemberTableCounters = { added: 0, expired: 0, left: 0, gossipIgnored: 0, tableFull: 0 }

  constructor(private readonly opts: MemberTableOptions) {
    this.selfHex = Buffer.from(opts.selfId).toString('hex')
    this.max = opts.maxMembers ?? 1024
    this.goneAfterMs = opts.goneAfterMs ?? 10 * 60_000
  }

  /** Members believed alive: a count, without the sort `live()` does. */
  get size(): number {
    let n = 0
    for (const r of this.records.values()) if (r.leftAt === undefined) n++
    return n
  }

  get(idHex: string): MemberRecord | undefined {
    return this.records.get(idHex)
  }

  /** Members believed alive (not left), freshest first. */
  live(): MemberRecord[] {
    return [...this.records.values()]
      .filter((r) => r.leftAt === undefined)
      .sort((a, b) => b.lastSeen - a.lastSeen)
  }

  /** A hello on a gated connection from `host`. Returns the record, or undefined for ourselves. */
  heardDirect(hello: MemberHello, host: string): MemberRecord | undefined {
    const idHex = Buffer.from(hello.nodeId).toString('hex')
    if (idHex === this.selfHex) return undefined
    const now = this.opts.clock.now()
    const r = this.records.get(idHex)
    if (!r) return this.insert(idHex, hello.nodeId, { ...hello, host }, now)
    const moved = r.host !== host || r.wirePort !== hello.wirePort || r.dhtPort !== hello.dhtPort
    Object.assign(r, { host, wirePort: hello.wirePort, dhtPort: hello.dhtPort, caps: hello.caps })
    if (hello.feedId) r.feedId = Buffer.from(hello.feedId)
    r.lastSeen = now
    if (moved || r.leftAt !== undefined) {
      r.leftAt = undefined
      this.bump(r, now)
    }
    return r
  }

  /** A gossiped entry. Returns whether it taught us something (a new member or a move). */
  heardGossip(e: MemberEntry): boolean {
    const idHex = Buffer.from(e.nodeId).toString('hex')
    const now = this.opts.clock.now()
    const seen = now - e.ageSeconds * 1000
    if (idHex === this.selfHex || now - seen >= this.goneAfterMs) {
      this.counters.gossipIgnored++
      return false
    }
    const r = this.records.get(idHex)
    if (!r) return this.insert(idHex, e.nodeId, e, seen) !== undefined
    // A goodbye stands until someone heard of the member after it (it came back).
    if (r.leftAt !== undefined && seen <= r.leftAt) {
      this.counters.gossipIgnored++
      return false
    }
    if (seen <= r.lastSeen && r.leftAt === undefined) return false
    const fresher = seen - r.lastSeen
    r.lastSeen = seen
    const moved = r.host !== e.host || r.wirePort !== e.wirePort
    // What a connection told us directly is not overridden by hearsay.
    if (!r.connected && (moved || r.leftAt !== undefined)) {
      Object.assign(r, { host: e.host, wirePort: e.wirePort, dhtPort: e.dhtPort, caps: e.caps })
      if (e.feedId) r.feedId = Buffer.from(e.feedId)
      r.leftAt = undefined
      this.bump(r, now)
      return true
    }
    // Relay a heartbeat that made the record much fresher, so members far from it keep it alive; the
    // threshold spaces relays so a heartbeat crosses each node once, not once per path.
    if (!r.connected && fresher >= this.goneAfterMs / 4) this.bump(r, now)
    return false
  }

  /** The member said goodbye (directly or through gossip heard after its last sighting). */
  markLeft(idHex: string, at = this.opts.clock.now()): boolean {
    const r = this.records.get(idHex)
    if (!r || r.leftAt !== undefined || r.connected || at < r.lastSeen) return false
    r.leftAt = at
    this.counters.left++
    this.bump(r, at)
    return true
  }

  setConnected(idHex: string, connected: boolean): void {
    const r = this.records.get(idHex)
    if (!r) return
    r.connected = connected
    r.lastSeen = this.opts.clock.now()
  }

  /**
   * Liveness upkeep: connected members are alive now, and re-gossiped every `heartbeatMs` so members
   * that know them only by hearsay keep them; the unheard and old tombstones go. Returns who expired.
   */
  tick(heartbeatMs: number): MemberRecord[] {
    const now = this.opts.clock.now()
    const gone: MemberRecord[] = []
    for (const r of this.records.values()) {
      if (r.connected) {
        r.lastSeen = now
        if (now - r.bumpedAt >= heartbeatMs) this.bump(r, now)
      } else if (now - (r.leftAt ?? r.lastSeen) >= this.goneAfterMs) {
        this.records.delete(r.idHex)
        if (r.leftAt === undefined) {
          this.counters.expired++
          gone.push(r)
        }
      }
    }
    return gone
  }

  /** Records changed since `cursor`, oldest change first, at most `limit` of each kind. */
  changesSince(cursor: number, limit: number): MemberChanges {
    const changed = [...this.records.values()]
      .filter((r) => r.version > cursor)
      .sort((a, b) => a.version - b.version)
    const added: MemberRecord[] = []
    const left: MemberRecord[] = []
    let next = cursor
    for (const r of changed) {
      const list = r.leftAt === undefined ? added : left
      if (list.length >= limit) break
      list.push(r)
      next = r.version
    }
    return { added, left, cursor: next }
  }

  private insert(
    idHex: string,
    nodeId: Uint8Array,
    e: { host: string; wirePort: number; dhtPort: number; caps: number; feedId?: Uint8Array | undefined },
    seen: number,
  ): MemberRecord | undefined {
    if (this.records.size >= this.max && !this.evictStalerThan(seen)) {
      this.counters.tableFull++
      return undefined
    }
    const now = this.opts.clock.now()
    const r: MemberRecord = {
      nodeId: Buffer.from(nodeId),
      idHex,
      host: e.host,
      wirePort: e.wirePort,
      dhtPort: e.dhtPort,
      caps: e.caps,
      feedId: e.feedId ? Buffer.from(e.feedId) : undefined,
      lastSeen: seen,
      firstSeen: now,
      connected: false,
      leftAt: undefined,
      version: 0,
      bumpedAt: now,
    }
    this.records.set(idHex, r)
    this.counters.added++
    this.bump(r, now)
    return r
  }

  /** Makes room by dropping the stalest unconnected record, if it is staler than `seen`. */
  private evictStalerThan(seen: number): boolean {
    let victim: MemberRecord | undefined
    for (const r of this.records.values()) {
      if (r.connected) continue
      const t = r.leftAt ?? r.lastSeen
      if (victim === undefined || t < (victim.leftAt ?? victim.lastSeen)) victim = r
    }
    if (!victim || (victim.leftAt === undefined && victim.lastSeen >= seen)) return false
    this.records.delete(victim.idHex)
    return true
  }

  private bump(r: MemberRecord, now: number): void {
    r.version = ++this.versionClock
    r.bumpedAt = now
  }
}
