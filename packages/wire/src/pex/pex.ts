// BEP-11 peer exchange with sane intervals and bounded state. Stock ut_pex disconnects a peer whose
// messages come less than 60 s apart, so toward anyone but bbmesh we never send faster than that; our
// own short interval (for tests and local meshes) applies only between bbmesh peers.
import { isIP } from 'node:net'
import {
  CLIENT_NAME,
  PEX_DEFAULT_INTERVAL_MS,
  PEX_MAX_KNOWN_PEERS,
  PEX_MAX_PEERS_PER_MESSAGE,
} from '../constants.js'
import type { PeerAddress } from '../dial.js'
import type {
  ExtensionDefinition,
  ExtensionInstance,
  ExtensionSession,
  HandlerTable,
} from '../extensions/types.js'
import { pexProtocol, type PexMessage, type PexMessages, type PexPeer } from './codec.js'

export interface PexOptions {
  /** Peers we currently know for an infohash (the swarm as we see it). Bounded to PEX_MAX_KNOWN_PEERS. */
  localPeers(infoHash: Uint8Array): readonly PexPeer[]
  /** New peers learned from a PEX message. */
  onPeers?(infoHash: Uint8Array, peers: readonly PexPeer[], from: PeerAddress): void
  /** Interval between our messages to other bbmesh peers. Default 65 s. */
  intervalMs?: number
  /** Messages from a peer closer together than this are ignored and counted. Default 30 s. */
  minIncomingIntervalMs?: number
}

const key = (p: { host: string; port: number }): string => `${p.host}|${p.port}`
const BBMESH = CLIENT_NAME.split(' ')[0]!

export class PexPeerState implements ExtensionInstance<PexMessages> {
  readonly handlers: HandlerTable<PexMessages>
  /** Peers we told this connection about (so later messages carry only the difference). */
  private readonly sent = new Map<string, PexPeer>()
  /** Peers this connection told us about; bounded. */
  private readonly known = new Set<string>()
  private timer: NodeJS.Timeout | undefined
  private lastIncoming = 0
  ignoredTooFrequent = 0
  received = 0

  constructor(
    private readonly session: ExtensionSession<PexMessages>,
    private readonly opts: PexOptions,
  ) {
    this.handlers = { pex: (m) => this.onPex(m) }
  }

  /** Interval toward this peer: ours between bbmesh peers, never under 65 s toward anyone else. */
  get intervalMs(): number {
    const ours = this.opts.intervalMs ?? PEX_DEFAULT_INTERVAL_MS
    const isBbmesh = this.session.peer.clientName?.split(' ')[0] === BBMESH
    return isBbmesh ? ours : Math.max(ours, PEX_DEFAULT_INTERVAL_MS)
  }

  get knownPeers(): number {
    return this.known.size
  }

  onReady(): void {
    // The first message may go at once: stock ut_pex only checks the gap between messages.
    this.sendUpdate()
    this.timer = setInterval(() => this.sendUpdate(), this.intervalMs)
    this.timer.unref()
  }

  onClose(): void {
    clearInterval(this.timer)
  }

  private sendUpdate(): void {
    const ih = this.session.peer.infoHash
    if (!ih) return
    const self = key({ host: this.session.peer.remoteAddress, port: this.session.peer.remotePort })
    const current = new Map<string, PexPeer>()
    for (const p of this.opts.localPeers(ih)) {
      if (current.size >= PEX_MAX_KNOWN_PEERS) break
      const k = key(p)
      if (k !== self && isIP(p.host) !== 0 && p.port > 0) current.set(k, p)
    }
    const added = [...current].filter(([k]) => !this.sent.has(k)).slice(0, PEX_MAX_PEERS_PER_MESSAGE)
    const dropped = [...this.sent].filter(([k]) => !current.has(k)).slice(0, PEX_MAX_PEERS_PER_MESSAGE)
    if (added.length === 0 && dropped.length === 0) return
    for (const [k, p] of added) this.sent.set(k, p)
    for (const [k] of dropped) this.sent.delete(k)
    const msg: PexMessage = {
      added: added.map(([, p]) => p),
      dropped: dropped.map(([, p]) => ({ host: p.host, port: p.port })),
    }
    this.session.send('pex', msg)
  }

  private onPex(m: PexMessage): void {
    const now = Date.now()
    const min = this.opts.minIncomingIntervalMs ?? 30_000
    if (this.lastIncoming !== 0 && now - this.lastIncoming < min) {
      this.ignoredTooFrequent++
      return
    }
    this.lastIncoming = now
    this.received++
    for (const d of m.dropped) this.known.delete(key(d))
    const fresh: PexPeer[] = []
    for (const p of m.added) {
      const k = key(p)
      if (p.port === 0 || this.known.has(k) || this.known.size >= PEX_MAX_KNOWN_PEERS) continue
      this.known.add(k)
      fresh.push(p)
    }
    const ih = this.session.peer.infoHash
    if (fresh.length > 0 && ih) {
      this.opts.onPeers?.(ih, fresh, {
        host: this.session.peer.remoteAddress,
        port: this.session.peer.remotePort,
      })
    }
  }
}

export function createPexExtension(opts: PexOptions): ExtensionDefinition<PexMessages> {
  return { protocol: pexProtocol, create: (session) => new PexPeerState(session, opts) }
}
