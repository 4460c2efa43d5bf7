// The metadata relay: a member asks members it is linked to for an info dict they indexed, piece by
// piece over bb_relay, and accepts it only if it hashes to the infohash (SHA-1 for v1, SHA-256 for
// v2). A member that sends a dict with the wrong hash is counted; after `banAfter` of them its links
// are closed and it is not asked (nor answered) for `banMs`. Nothing unverified leaves `fetch`.
import {
  parseInfoHash,
  verifyInfo,
  type ExtensionDefinition,
  type ExtensionInstance,
  type ExtensionSession,
  type HandlerTable,
} from '@bbmesh/wire'
import { systemClock, type Clock } from '../clock.js'
import {
  MAX_RELAY_INFO_BYTES,
  RELAY_PIECE_SIZE,
  relayProtocol,
  type RelayMessages,
  type RelayNone,
  type RelayPiece,
} from './codec.js'

export interface RelayOptions {
  /** The info dict this member holds for an infohash (e.g. the index's metadata cache). */
  lookup(infohash: Uint8Array): Promise<Uint8Array | undefined>
  clock?: Clock
  /** Per piece. Default 10 s. */
  timeoutMs?: number
  /**
   * Told of each dict a member sent that failed its hash (before the strike counts), e.g. so the
   * search can count it against a member that returned the torrent as a hit.
   */
  onBadHash?: (who: string, infohash: Uint8Array) => void
  /** Wrong dicts tolerated from one member before it is banned. Default 2. */
  banAfter?: number
  banMs?: number
}

export interface RelayCounters {
  requestsIn: number
  served: number
  notFound: number
  piecesOut: number
  /** Info dict bytes sent to members. */
  bytesOut: number
  fetches: number
  relayedIn: number
  relayFailures: number
  /** Dicts that did not hash to the infohash asked for (a lying or broken member). */
  badHash: number
  banned: number
  floodDropped: number
}

type Answer = { kind: 'piece'; piece: RelayPiece } | { kind: 'none' } | { kind: 'closed' }

// A member catching up asks for a dict per fetch worker at once, each a cached-row read here; the
// bound is on work per link, not on a member's legitimate burst.
const BUCKET = 512
const REFILL_PER_S = 256

export class MetadataRelay {
  readonly counters: RelayCounters = {
    requestsIn: 0,
    served: 0,
    notFound: 0,
    piecesOut: 0,
    bytesOut: 0,
    fetches: 0,
    relayedIn: 0,
    relayFailures: 0,
    badHash: 0,
    banned: 0,
    floodDropped: 0,
  }
  readonly links = new Set<RelayLink>()
  readonly clock: Clock
  private readonly strikes = new Map<string, number>()
  private readonly bans = new Map<string, number>()

  constructor(readonly opts: RelayOptions) {
    this.clock = opts.clock ?? systemClock
  }

  /** Register this on the mesh's links (`registerExtensions`). */
  definition(): ExtensionDefinition<RelayMessages> {
    return { protocol: relayProtocol, create: (session) => new RelayLink(session, this) }
  }

  isBanned(who: string): boolean {
    const until = this.bans.get(who)
    if (until === undefined) return false
    if (until > this.clock.now()) return true
    this.bans.delete(who)
    return false
  }

  /**
   * Asks linked members in turn (at most `maxPeers`; only those in `only` when given, e.g. the ones
   * that said they hold it); resolves the verified dict, or undefined.
   */
  async fetch(
    infohash: Uint8Array,
    opts: { maxPeers?: number; only?: ReadonlySet<string> } = {},
  ): Promise<Uint8Array | undefined> {
    const target = parseInfoHash(infohash)
    this.counters.fetches++
    const candidates = [...this.links].filter(
      (l) => l.ready && !this.isBanned(l.who) && (opts.only === undefined || opts.only.has(l.who)),
    )
    for (const link of candidates.slice(0, opts.maxPeers ?? 3)) {
      const info = await link.download(infohash)
      if (!info) continue
      if (verifyInfo(target, info)) {
        this.counters.relayedIn++
        return info
      }
      this.counters.badHash++
      this.opts.onBadHash?.(link.who, infohash)
      this.strike(link)
    }
    this.counters.relayFailures++
    return undefined
  }

  private strike(link: RelayLink): void {
    const n = (this.strikes.get(link.who) ?? 0) + 1
    this.strikes.set(link.who, n)
    if (n < (this.opts.banAfter ?? 2)) return
    this.ban(link.who, 'bb_relay: sent metadata with a wrong hash')
  }

  /**
   * Bans a member (its peer id, hex) for `banMs`: its links are closed, it is neither asked nor
   * answered. The pool calls this too, for a member it banned for junk.
   */
  ban(who: string, reason = 'bb_relay: banned'): void {
    this.strikes.delete(who)
    this.bans.set(who, this.clock.now() + (this.opts.banMs ?? 60 * 60_000))
    this.counters.banned++
    for (const l of [...this.links]) if (l.who === who) l.close(reason)
    // Both maps stay bounded by the members we meet; forget the oldest past a generous bound.
    while (this.bans.size > 4096) this.bans.delete(this.bans.keys().next().value as string)
  }
}

class RelayLink implements ExtensionInstance<RelayMessages> {
  readonly handlers: HandlerTable<RelayMessages>
  ready = false
  private nextId = 1
  private readonly pending = new Map<number, (a: Answer) => void>()
  private tokens = BUCKET
  private refilled: number
  /** The last dict served, so consecutive piece requests cost one lookup. */
  private serving: { key: string; info: Uint8Array } | undefined

  constructor(
    private readonly session: ExtensionSession<RelayMessages>,
    private readonly relay: MetadataRelay,
  ) {
    this.refilled = relay.clock.now()
    this.handlers = {
      want: (w) => void this.serve(w.id, w.infohash, w.piece),
      piece: (p) => this.answer(p.id, { kind: 'piece', piece: p }),
      none: (n: RelayNone) => this.answer(n.id, { kind: 'none' }),
    }
  }

  /** The member behind this link, for strikes and bans: its peer id (the gate bound it to the link). */
  get who(): string {
    return Buffer.from(this.session.peer.peerId ?? []).toString('hex')
  }

  onReady(): void {
    if (this.relay.isBanned(this.who)) return this.close('banned')
    this.ready = true
    this.relay.links.add(this)
  }

  onClose(): void {
    this.ready = false
    this.relay.links.delete(this)
    for (const resolve of this.pending.values()) resolve({ kind: 'closed' })
    this.pending.clear()
  }

  close(reason: string): void {
    this.session.peer.close(reason)
  }

  /** Downloads every piece of the dict; undefined when the member has none or the link fails. */
  async download(infohash: Uint8Array): Promise<Uint8Array | undefined> {
    const parts: Uint8Array[] = []
    let total = -1
    for (let piece = 0; total < 0 || piece * RELAY_PIECE_SIZE < total; piece++) {
      const a = await this.ask(infohash, piece)
      if (a.kind !== 'piece') return undefined
      if (total >= 0 && a.piece.total !== total) return undefined
      total = a.piece.total
      parts.push(a.piece.data)
    }
    return Buffer.concat(parts)
  }

  private ask(infohash: Uint8Array, piece: number): Promise<Answer> {
    const id = this.nextId++
    return new Promise<Answer>((resolve) => {
      const timer = this.relay.clock.setTimeout(() => {
        this.pending.delete(id)
        resolve({ kind: 'none' })
      }, this.relay.opts.timeoutMs ?? 10_000)
      this.pending.set(id, (a) => {
        timer.cancel()
        resolve(a)
      })
      this.session.send('want', { id, infohash: Buffer.from(infohash), piece })
    })
  }

  private answer(id: number, a: Answer): void {
    const resolve = this.pending.get(id)
    this.pending.delete(id)
    resolve?.(a) // an answer nobody asked for is ignored
  }

  private async serve(id: number, infohash: Uint8Array, piece: number): Promise<void> {
    const now = this.relay.clock.now()
    this.tokens = Math.min(BUCKET, this.tokens + ((now - this.refilled) / 1000) * REFILL_PER_S)
    this.refilled = now
    if (this.tokens < 1) {
      this.relay.counters.floodDropped++
      return
    }
    this.tokens--
    const c = this.relay.counters
    c.requestsIn++
    const key = Buffer.from(infohash).toString('hex')
    let info = this.serving?.key === key ? this.serving.info : undefined
    if (!info && !this.relay.isBanned(this.who)) {
      info = await this.relay.opts.lookup(infohash).catch(() => undefined)
      if (info && info.length <= MAX_RELAY_INFO_BYTES) this.serving = { key, info }
      else info = undefined
    }
    const start = piece * RELAY_PIECE_SIZE
    if (!info || start >= info.length) {
      c.notFound++
      return this.session.send('none', { id })
    }
    if (piece === 0) c.served++
    c.piecesOut++
    const data = info.subarray(start, Math.min(info.length, start + RELAY_PIECE_SIZE))
    c.bytesOut += data.length
    this.session.send('piece', { id, piece, total: info.length, data })
  }
}
