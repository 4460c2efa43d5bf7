// The members-only gate (docs/PROTOCOL.md, "bb_gate"): a mutual HMAC challenge-response bound to both
// peer ids, both fresh nonces and the infohash. The dialer proves first; the acceptor answers only after
// verifying, so a stranger who connects to us never receives a MAC. A failed or timed-out gate leaves
// the connection up as plain BitTorrent, with members-only extensions closed for its lifetime.
import { randomBytes } from 'node:crypto'
import { GATE_DEFAULT_TIMEOUT_MS, GATE_MIN_KEY_LENGTH, GATE_NONCE_LENGTH } from '../constants.js'
import { InvalidArgumentError } from '../errors.js'
import type {
  ConnectionLink,
  ExtensionDefinition,
  ExtensionInstance,
  ExtensionSession,
  HandlerTable,
} from '../extensions/types.js'
import { gateProtocol, type GateMessages } from './codec.js'
import { gateKey, gateMembersTag, gateProof, macEqual, type GateTranscript } from './crypto.js'

export interface GateOptions {
  /** Community secret, at least 16 bytes of high-entropy key material (the mesh owns keys). */
  secret: Uint8Array
  /** Time allowed for the whole exchange after the extended handshake. Default 10 s. */
  timeoutMs?: number
}

export type GateState = 'waiting' | 'verified' | 'open' | 'failed'

type Session = ExtensionSession<GateMessages>

export class GatePeer implements ExtensionInstance<GateMessages> {
  readonly handlers: HandlerTable<GateMessages>
  state: GateState = 'waiting'
  failure: string | undefined
  private readonly nonce = randomBytes(GATE_NONCE_LENGTH)
  private peerNonce: Uint8Array | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly session: Session,
    private readonly link: ConnectionLink,
    private readonly key: Uint8Array,
    private readonly timeoutMs: number,
  ) {
    this.handlers = {
      hello: (m) => this.onHello(m.nonce),
      proof: (m) => this.onProof(m.proof),
      members: (m) => this.onMembers(m.extensions, m.tag),
    }
  }

  onReady(): void {
    this.timer = setTimeout(() => this.fail('gate timed out'), this.timeoutMs)
    this.timer.unref()
    this.session.send('hello', { nonce: this.nonce })
  }

  onClose(): void {
    clearTimeout(this.timer)
  }

  /** Transcript with `prover` proving to the other side. */
  private transcript(prover: 'us' | 'peer'): GateTranscript | undefined {
    const { infoHash, peerId } = this.session.peer
    if (!infoHash || !peerId || !this.peerNonce) return undefined
    const us = { id: this.link.localPeerId, nonce: this.nonce }
    const them = { id: peerId, nonce: this.peerNonce }
    const [p, v] = prover === 'us' ? [us, them] : [them, us]
    return { infoHash, proverId: p.id, verifierId: v.id, proverNonce: p.nonce, verifierNonce: v.nonce }
  }

  private onHello(nonce: Uint8Array): void {
    if (this.state !== 'waiting' || this.peerNonce) return this.fail('unexpected hello')
    // A reflected nonce would let the peer replay our own proof back at us.
    if (Buffer.from(nonce).equals(this.nonce)) return this.fail('reflected nonce')
    this.peerNonce = Buffer.from(nonce)
    if (this.session.peer.direction === 'outbound') this.sendProof()
  }

  private onProof(proof: Uint8Array): void {
    const t = this.transcript('peer')
    if (this.state !== 'waiting' || !t) return this.fail('unexpected proof')
    if (!macEqual(proof, gateProof(this.key, t))) return this.fail('bad proof')
    this.state = 'verified'
    if (this.session.peer.direction === 'inbound') this.sendProof()
    const members = new Map(Object.entries(this.link.membersMap()))
    const mine = this.transcript('us')!
    this.session.send('members', { extensions: members, tag: gateMembersTag(this.key, mine, members) })
  }

  private onMembers(extensions: Map<string, number>, tag: Uint8Array): void {
    const t = this.transcript('peer')
    if (this.state !== 'verified' || !t) return this.fail('unexpected members')
    if (!macEqual(tag, gateMembersTag(this.key, t, extensions))) return this.fail('bad members tag')
    this.state = 'open'
    clearTimeout(this.timer)
    this.link.openGate(extensions)
  }

  private sendProof(): void {
    const t = this.transcript('us')
    if (t) this.session.send('proof', { proof: gateProof(this.key, t) })
  }

  private fail(reason: string): void {
    if (this.state === 'failed' || this.state === 'open') return
    this.state = 'failed'
    this.failure = reason
    clearTimeout(this.timer)
    this.link.gateFailed()
  }
}

export function createGateExtension(opts: GateOptions): ExtensionDefinition<GateMessages> {
  if (opts.secret.length < GATE_MIN_KEY_LENGTH)
    throw new InvalidArgumentError(`gate secret must be at least ${GATE_MIN_KEY_LENGTH} bytes`)
  const key = gateKey(opts.secret)
  const timeoutMs = opts.timeoutMs ?? GATE_DEFAULT_TIMEOUT_MS
  return {
    protocol: gateProtocol,
    create: (session, link) => new GatePeer(session, link, key, timeoutMs),
  }
}
