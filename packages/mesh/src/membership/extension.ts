// Per-connection bb_members state. It only comes alive once the gate has opened (members-only), says
// hello, then forwards what the membership core decides to send. Incoming messages are rate-limited
// per link with a token bucket on the mesh clock: a member that floods is counted and, past a bound,
// disconnected; it can never make us do unbounded work.
import type {
  ExtensionDefinition,
  ExtensionInstance,
  ExtensionSession,
  HandlerTable,
  PeerAddress,
} from '@bbmesh/wire'
import type { Clock } from '../clock.js'
import { membersProtocol, type MemberHello, type MembersDelta, type MembersMessages } from './codec.js'

/** What a link reports to, and asks of, the membership core. */
export interface MembersCore {
  readonly clock: Clock
  hello(): MemberHello
  onLinkReady(link: MembersLink): void
  onHello(link: MembersLink, hello: MemberHello): void
  onDelta(link: MembersLink, delta: MembersDelta): void
  onLeave(link: MembersLink): void
  onLinkClosed(link: MembersLink): void
  onFlood(link: MembersLink): void
}

/** Burst and refill of the per-link message budget (hello and leave count too). */
const BUCKET_SIZE = 40
const REFILL_PER_SECOND = 4
/** Messages over budget tolerated before the link is closed. */
const FLOOD_CLOSE_AFTER = 200

export class MembersLink implements ExtensionInstance<MembersMessages> {
  readonly handlers: HandlerTable<MembersMessages>
  /** The peer's hello, once received. */
  hello: MemberHello | undefined
  /** Our position in the member table's change log for this link. */
  cursor = 0
  messagesIn = 0
  messagesOut = 0
  flooded = 0
  private tokens = BUCKET_SIZE
  private refilledAt: number
  private closed = false

  constructor(
    private readonly session: ExtensionSession<MembersMessages>,
    private readonly core: MembersCore,
  ) {
    this.refilledAt = core.clock.now()
    this.handlers = {
      hello: (m) => this.admit() && this.core.onHello(this, m),
      delta: (m) => this.admit() && this.core.onDelta(this, m),
      leave: () => this.admit() && this.core.onLeave(this),
    }
  }

  get remote(): PeerAddress {
    return { host: this.session.peer.remoteAddress, port: this.session.peer.remotePort }
  }

  get direction(): 'inbound' | 'outbound' {
    return this.session.peer.direction
  }

  get isClosed(): boolean {
    return this.closed
  }

  onReady(): void {
    this.send('hello', this.core.hello())
    this.core.onLinkReady(this)
  }

  onClose(): void {
    if (this.closed) return
    this.closed = true
    this.core.onLinkClosed(this)
  }

  send<K extends keyof MembersMessages>(type: K, value: MembersMessages[K]): void {
    if (this.closed) return
    this.session.send(type, value)
    this.messagesOut++
  }

  close(reason: string): void {
    this.session.peer.close(reason)
  }

  private admit(): boolean {
    const now = this.core.clock.now()
    this.tokens = Math.min(BUCKET_SIZE, this.tokens + ((now - this.refilledAt) / 1000) * REFILL_PER_SECOND)
    this.refilledAt = now
    if (this.tokens < 1) {
      this.flooded++
      this.core.onFlood(this)
      if (this.flooded >= FLOOD_CLOSE_AFTER) this.close('bb_members flood')
      return false
    }
    this.tokens--
    this.messagesIn++
    return true
  }
}

export function createMembersExtension(core: MembersCore): ExtensionDefinition<MembersMessages> {
  return { protocol: membersProtocol, create: (session) => new MembersLink(session, core) }
}
