// A community mesh: the gated wire listener, the rendezvous swarm, the dialer and the member table,
// joined by bb_members gossip. Strangers who connect see an ordinary peer offering bb_gate and nothing
// else; members learn each other from the swarm and from each other, and keep a live link to up to
// `targetConnections` of them.
import { EventEmitter } from 'node:events'
import {
  createGateExtension,
  ExtensionRegistry,
  GATE_EXTENSION_NAME,
  PeerHost,
  type GatePeer,
  type PeerAddress,
} from '@bbmesh/wire'
import { systemClock, type Clock, type Timer } from '../clock.js'
import { MEMBERS_PROTOCOL_VERSION, type MemberHello, type MembersDelta } from './codec.js'
import { Dialer, type DialOutcome } from './dialer.js'
import { flushDeltas, memberInfo } from './gossip-out.js'
import { meshStats, type MeshOwnCounters } from './mesh-stats.js'
import { createMembersExtension, type MembersCore, type MembersLink } from './extension.js'
import { MemberTable, type MemberRecord } from './member-table.js'
import { Rendezvous } from './rendezvous.js'
import type { MemberInfo, MeshEvents, MeshOptions, MeshStats } from './types.js'
import { keptDirection } from './kept-link.js'

export class CommunityMesh extends EventEmitter<MeshEvents> implements MembersCore {
  readonly clock: Clock
  readonly host: PeerHost
  readonly table: MemberTable
  readonly rendezvous: Rendezvous
  private readonly dialer: Dialer
  private readonly links = new Map<string, MembersLink>()
  private readonly selfHex: string
  private ticker: Timer | undefined
  private closed = false
  private wirePort = 0
  private readonly n: MeshOwnCounters = {
    entriesOut: 0,
    bytesOut: 0,
    floodDropped: 0,
    duplicateLinks: 0,
    inboundGateFailures: 0,
    closedIn: 0,
    closedOut: 0,
  }

  constructor(private readonly opts: MeshOptions) {
    super()
    this.clock = opts.clock ?? systemClock
    this.selfHex = Buffer.from(opts.dht.nodeId).toString('hex')
    const registry = new ExtensionRegistry()
    registry.register(
      createGateExtension({
        secret: opts.keys.gateSecret,
        ...(opts.gateTimeoutMs !== undefined && { timeoutMs: opts.gateTimeoutMs }),
      }),
    )
    registry.register(createMembersExtension(this))
    opts.registerExtensions?.(registry)
    this.table = new MemberTable({
      selfId: opts.dht.nodeId,
      clock: this.clock,
      ...(opts.maxMembers !== undefined && { maxMembers: opts.maxMembers }),
      ...(opts.goneAfterMs !== undefined && { goneAfterMs: opts.goneAfterMs }),
    })
    this.host = new PeerHost({
      registry,
      dhtPort: opts.dht.dhtPort,
      // Room for strangers beyond our members, who are closed as soon as they fail the gate.
      maxConnections: this.maxLinks + 16,
      // Members behind one address (a NAT, a loopback testnet) are legitimate; the gate bounds the rest.
      maxConnectionsPerIp: this.maxLinks,
      acceptInfoHash: (ih) => this.rendezvous.acceptedHashes().some((h) => h.equals(ih)),
      onConnection: (conn) =>
        conn.once('gate', (s) => {
          if (s !== 'failed') return
          this.n.inboundGateFailures++
          conn.close('local', 'not a member')
        }),
    })
    this.rendezvous = new Rendezvous({
      dht: opts.dht,
      rendezvousKey: opts.keys.rendezvousKey,
      clock: this.clock,
      wirePort: () => this.wirePort,
      onCandidates: (addrs) => this.dialer.offer(addrs),
      ...opts.rendezvous,
    })
    this.dialer = new Dialer({
      clock: this.clock,
      dial: (a) => this.dial(a),
      wantsMore: () => this.links.size < this.target,
      skip: (a) => this.isSelfOrLinked(a),
      ...(opts.dialsPerMinute !== undefined && { dialsPerMinute: opts.dialsPerMinute }),
      ...(opts.gateBackoffMs !== undefined && { gateBackoffMs: opts.gateBackoffMs }),
    })
  }

  private get target(): number {
    return Math.min(this.opts.targetConnections ?? 12, this.maxLinks)
  }

  private get maxLinks(): number {
    return this.opts.maxConnections ?? 16
  }

  /** Listens, then starts the rendezvous and gossip loops. Resolves with the wire address. */
  async start(): Promise<PeerAddress> {
    const addr = await this.host.listen(this.opts.listen?.port ?? 0, this.opts.listen?.host ?? '127.0.0.1')
    this.wirePort = addr.port
    this.rendezvous.start()
    if (this.opts.hints && this.opts.hints.length > 0) this.dialer.offer(this.opts.hints, true)
    this.scheduleTick()
    return { host: addr.address, port: addr.port }
  }

  /** Says goodbye to every connected member, then closes everything. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.ticker?.cancel()
    for (const link of this.links.values()) {
      try {
        link.send('leave', {})
      } catch {
        // A link that cannot send is closing anyway.
      }
    }
    this.dialer.close()
    await this.rendezvous.close()
    await this.host.close()
  }

  /** Candidate member addresses to dial (e.g. `--peer`); strangers among them fail the gate. */
  addCandidates(addrs: PeerAddress[]): void {
    this.dialer.offer(addrs, true)
  }

  members(): MemberInfo[] {
    return this.table.live().map((r) => this.info(r))
  }

  get connectedCount(): number {
    return this.links.size
  }

  stats(): MeshStats {
    return meshStats(this.n, this.table, this.links.values(), this.dialer.counters, this.rendezvous.counters)
  }

  // ---- MembersCore: what the links report ----

  hello(): MemberHello {
    return {
      version: MEMBERS_PROTOCOL_VERSION,
      nodeId: Buffer.from(this.opts.dht.nodeId),
      wirePort: this.wirePort,
      dhtPort: this.opts.dht.dhtPort,
      caps: this.opts.caps ?? 0,
      ...(this.opts.feedId !== undefined && { feedId: Buffer.from(this.opts.feedId) }),
    }
  }

  onLinkReady(): void {
    // Nothing until its hello: the link does not know who it is talking to yet.
  }

  onHello(link: MembersLink, hello: MemberHello): void {
    if (link.hello) return
    const idHex = Buffer.from(hello.nodeId).toString('hex')
    if (idHex === this.selfHex) return link.close('self')
    link.hello = hello
    const existing = this.links.get(idHex)
    // A link that replaces a duplicate is the same member, still connected: no second 'member' event.
    const replacing = existing !== undefined && !existing.isClosed
    if (existing && !existing.isClosed) {
      // Both sides dialled: keep the link dialled by the smaller node id, which both sides agree on.
      this.n.duplicateLinks++
      const preferred = keptDirection(this.selfHex, idHex)
      if (existing.direction === preferred || link.direction !== preferred) return link.close('duplicate')
      this.links.delete(idHex)
      existing.close('duplicate')
    }
    if (this.links.size >= this.maxLinks) {
      // Full: tell it who we know, so it can link to someone else, then let it go.
      this.flush(link)
      return link.close('mesh full')
    }
    const record = this.table.heardDirect(hello, link.remote.host)
    if (!record) return link.close('table full')
    this.links.set(idHex, link)
    this.table.setConnected(idHex, true)
    this.flush(link)
    if (!replacing) this.emit('member', this.info(record))
  }

  onDelta(link: MembersLink, delta: MembersDelta): void {
    if (!link.hello) return
    const fresh: PeerAddress[] = []
    for (const e of delta.added) {
      if (this.table.heardGossip(e)) fresh.push({ host: e.host, port: e.wirePort })
    }
    for (const id of delta.left) this.table.markLeft(Buffer.from(id).toString('hex'))
    if (fresh.length > 0) this.dialer.offer(fresh, true)
  }

  onLeave(link: MembersLink): void {
    const idHex = link.hello && Buffer.from(link.hello.nodeId).toString('hex')
    link.close('member left')
    if (idHex && this.links.get(idHex) === undefined) this.table.markLeft(idHex)
  }

  onLinkClosed(link: MembersLink): void {
    this.n.closedIn += link.messagesIn
    this.n.closedOut += link.messagesOut
    if (!link.hello) return
    const idHex = Buffer.from(link.hello.nodeId).toString('hex')
    if (this.links.get(idHex) !== link) return
    this.links.delete(idHex)
    this.table.setConnected(idHex, false)
    const r = this.table.get(idHex)
    if (r) this.emit('disconnected', this.info(r))
    if (this.links.size === 0) this.rendezvous.hurry()
  }

  onFlood(): void {
    this.n.floodDropped++
  }

  // ---- internals ----

  private async dial(addr: PeerAddress): Promise<DialOutcome> {
    const conn = await this.host.connect(addr, this.rendezvous.todayHash(), { timeoutMs: 10_000 })
    return new Promise<DialOutcome>((resolve) => {
      // A peer that answered our handshake on the rendezvous hash and then dropped us before the gate
      // opened refused our proof (the acceptor closes on a bad one): another community, or a stranger.
      let answered = false
      conn.once('handshake', () => (answered = true))
      conn.once('gate', (s) => {
        if (s === 'open') return resolve('member')
        // A gate that only timed out may be a member behind a slow link or a busy event loop: retry
        // it soon (the doubling backoff) rather than treating it as a stranger for gateBackoffMs.
        const timedOut = conn.extension<GatePeer>(GATE_EXTENSION_NAME)?.failure === 'gate timed out'
        conn.close('local', 'not a member')
        resolve(timedOut ? 'unreachable' : 'gate-failed')
      })
      conn.once('close', () => resolve(conn.gateOpen ? 'member' : answered ? 'gate-failed' : 'unreachable'))
    })
  }

  private isSelfOrLinked(a: PeerAddress): boolean {
    if (a.port === this.wirePort && isLoopbackOrAny(a.host)) return true
    for (const l of this.links.values()) {
      if (l.hello && l.remote.host === a.host && l.hello.wirePort === a.port) return true
    }
    return false
  }

  private scheduleTick(): void {
    if (this.closed) return
    this.ticker = this.clock.setTimeout(() => {
      this.tick()
      this.scheduleTick()
    }, this.opts.gossipIntervalMs ?? 5_000)
  }

  /** Liveness, gossip and top-up; public so a test on a virtual clock can drive it. */
  tick(): void {
    if (this.closed) return
    for (const r of this.table.tick(this.table.goneAfterMs / 3)) this.emit('gone', r.idHex)
    for (const link of this.links.values()) this.flush(link)
    if (this.links.size < this.target) {
      const unlinked = this.table.live().filter((r) => !r.connected && !this.links.has(r.idHex))
      this.dialer.offer(
        unlinked.map((r) => ({ host: r.host, port: r.wirePort })),
        true,
      )
    }
    this.dialer.pump()
  }

  private flush(link: MembersLink): void {
    const sent = flushDeltas(this.table, link, this.clock.now())
    this.n.entriesOut += sent.entries
    this.n.bytesOut += sent.bytes
  }

  private info(r: MemberRecord): MemberInfo {
    return memberInfo(r, this.clock.now())
  }
}

function isLoopbackOrAny(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === '0.0.0.0' || host === '::' || host === 'localhost'
}

/** Creates and starts a community mesh. */
export async function startMesh(opts: MeshOptions): Promise<CommunityMesh> {
  const mesh = new CommunityMesh(opts)
  await mesh.start()
  return mesh
}
