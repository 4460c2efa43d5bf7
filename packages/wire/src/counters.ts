// Counters for everything a hostile or broken peer can cause. One instance is shared by all connections
// of a host so tests and operators can see what was dropped and why.

export type CloseReason =
  | 'local'
  | 'remote-closed'
  | 'socket-error'
  | 'handshake-timeout'
  | 'idle-timeout'
  | 'bad-handshake'
  | 'message-too-large'
  | 'bad-message-length'
  | 'protocol-error'
  | 'infohash-mismatch'
  | 'unknown-infohash'
  /** The asynchronous infohash lookup failed (threw, rejected, wrong dict, or its queue was full). */
  | 'lookup-failed'
  | 'self-connection'
  | 'extension-error'
  | 'handler-error'
  | 'slow-reader'
  | 'connection-limit'

export interface WireCounterSnapshot {
  opened: number
  closed: Record<string, number>
  /** Members-only messages from peers that had not passed the gate (ignored). */
  membersOnlyIgnored: number
  /** Extended messages to an id we never assigned (ignored). */
  unknownExtended: number
  /** Messages of a known extension with an unknown msg_type (ignored, BEP-9 says so). */
  unknownMsgType: number
  gateOpened: number
  gateFailed: number
  rejectedByLimit: number
}

export class WireCounters {
  opened = 0
  readonly closed = new Map<string, number>()
  membersOnlyIgnored = 0
  unknownExtended = 0
  unknownMsgType = 0
  gateOpened = 0
  gateFailed = 0
  rejectedByLimit = 0

  countClose(reason: CloseReason): void {
    this.closed.set(reason, (this.closed.get(reason) ?? 0) + 1)
  }

  closedFor(reason: CloseReason): number {
    return this.closed.get(reason) ?? 0
  }

  snapshot(): WireCounterSnapshot {
    return {
      opened: this.opened,
      closed: Object.fromEntries(this.closed),
      membersOnlyIgnored: this.membersOnlyIgnored,
      unknownExtended: this.unknownExtended,
      unknownMsgType: this.unknownMsgType,
      gateOpened: this.gateOpened,
      gateFailed: this.gateFailed,
      rejectedByLimit: this.rejectedByLimit,
    }
  }
}
