// Per-connection routing of BEP-10 extended messages: our local id -> extension -> codec (by msg_type)
// -> handler. Size caps are checked before decoding; codec and handler errors close this connection.
import { decodePrefix, encode, isDict, dict as mkDict } from '../bencode/bencode.js'
import type { WireCounters } from '../counters.js'
import { CodecError, ExtensionError, GateError } from '../errors.js'
import type { ExtensionRegistry, RegisteredExtension } from './registry.js'
import type {
  ConnectionLink,
  ExtensionInstance,
  ExtensionPeer,
  ExtensionSession,
  MessageCodec,
} from './types.js'

type AnyCodec = MessageCodec<unknown>

export interface DispatchHost {
  readonly peer: ExtensionPeer
  readonly counters: WireCounters
  readonly localPeerId: Uint8Array
  sendExtended(remoteId: number, payload: Uint8Array): void
  /** The members-only gate opened or failed on this connection (the mesh backs off failed candidates). */
  onGate?(state: 'open' | 'failed'): void
}

interface Active {
  readonly reg: RegisteredExtension
  readonly instance: ExtensionInstance<Record<string, unknown>>
  readonly session: ExtensionSession<Record<string, unknown>>
  ready: boolean
}

export class ExtensionDispatcher {
  /** name -> the peer's id for it (from its `m`, or for members-only extensions, from the gate). */
  private readonly remoteIds = new Map<string, number>()
  private readonly active = new Map<number, Active>()
  private closed = false
  private gateIsOpen = false

  constructor(
    private readonly registry: ExtensionRegistry,
    private readonly host: DispatchHost,
  ) {
    for (const reg of registry.all()) this.instantiate(reg)
  }

  /** Our `m` dict for the public extended handshake: members-only extensions are never listed. */
  publicMap(): Record<string, number> {
    const m: Record<string, number> = {}
    for (const reg of this.registry.all()) {
      if (reg.definition.protocol.membersOnly !== true) m[reg.definition.protocol.name] = reg.localId
    }
    return m
  }

  /** Our members-only ids, sent only inside an open gate. */
  membersMap(): Record<string, number> {
    const m: Record<string, number> = {}
    for (const reg of this.registry.all()) {
      if (reg.definition.protocol.membersOnly === true) m[reg.definition.protocol.name] = reg.localId
    }
    return m
  }

  /** The peer's BEP-10 `m`: enables the public extensions it shares with us. */
  onPeerExtensions(m: ReadonlyMap<string, number>, membersOnly: boolean): void {
    for (const [name, id] of m) {
      const reg = this.registry.get(name)
      if (!reg || (reg.definition.protocol.membersOnly === true) !== membersOnly) continue
      if (id === 0) {
        // BEP-10: id 0 in a later handshake disables the extension.
        this.remoteIds.delete(name)
        continue
      }
      this.remoteIds.set(name, id)
      const a = this.active.get(reg.localId)
      if (a && !a.ready) {
        a.ready = true
        a.instance.onReady?.(a.session)
      }
    }
  }

  get gateOpen(): boolean {
    return this.gateIsOpen
  }

  /** Access to this connection's instance of an extension (e.g. to drive a metadata fetch). */
  instance(name: string): ExtensionInstance<Record<string, unknown>> | undefined {
    const reg = this.registry.get(name)
    return reg ? this.active.get(reg.localId)?.instance : undefined
  }

  receive(localId: number, payload: Uint8Array): void {
    if (this.closed) return
    const a = this.active.get(localId)
    if (!a) {
      this.host.counters.unknownExtended++
      return
    }
    const protocol = a.reg.definition.protocol
    if (protocol.membersOnly === true && !this.gateIsOpen) {
      // A stranger guessed an id: ignore it, never answer (docs/PROTOCOL.md, "members-only gate").
      this.host.counters.membersOnlyIgnored++
      return
    }
    const codecs = Object.entries(protocol.codecs) as [string, AnyCodec][]
    const maxBytes = Math.max(...codecs.map(([, c]) => c.maxBytes))
    if (payload.length > maxBytes) throw new CodecError(`${protocol.name} message of ${payload.length} bytes`)
    const [value, end] = decodePrefix(payload)
    if (!isDict(value)) throw new CodecError(`${protocol.name} message is not a dict`)
    const msgType = value['msg_type']
    const found = codecs.find(([, c]) => (c.msgType === null ? true : c.msgType === msgType))
    if (!found) {
      this.host.counters.unknownMsgType++
      return
    }
    const [type, codec] = found
    if (payload.length > codec.maxBytes)
      throw new CodecError(`${protocol.name}.${type} over ${codec.maxBytes} bytes`)
    const trailer = payload.subarray(end)
    if (trailer.length > 0 && codec.trailer !== true)
      throw new CodecError(`${protocol.name}.${type}: trailing bytes`)
    const decoded = codec.decode(value, trailer)
    const handler = a.instance.handlers[type]
    if (handler) handler(decoded, a.session)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const a of this.active.values()) {
      try {
        a.instance.onClose?.()
      } catch {
        // Closing must finish for every extension even if one misbehaves.
      }
    }
  }

  private instantiate(reg: RegisteredExtension): void {
    const protocol = reg.definition.protocol
    const session: ExtensionSession<Record<string, unknown>> = {
      peer: this.host.peer,
      send: (type, value) => {
        if (this.closed) return
        if (protocol.membersOnly === true && !this.gateIsOpen) {
          throw new GateError(`${protocol.name} is members-only and the gate is closed`)
        }
        const remoteId = this.remoteIds.get(protocol.name)
        if (remoteId === undefined) throw new ExtensionError(`peer does not support ${protocol.name}`)
        const codec = protocol.codecs[type] as AnyCodec | undefined
        if (!codec) throw new ExtensionError(`${protocol.name} has no message ${String(type)}`)
        const { dict, trailer } = codec.encode(value)
        const d = codec.msgType === null ? dict : mkDict({ ...dict, msg_type: codec.msgType })
        const head = encode(d)
        const payload = trailer && trailer.length > 0 ? Buffer.concat([head, trailer]) : head
        if (payload.length > codec.maxBytes)
          throw new ExtensionError(`${protocol.name}.${String(type)} too large`)
        this.host.sendExtended(remoteId, payload)
      },
    }
    const link: ConnectionLink = {
      localPeerId: this.host.localPeerId,
      membersMap: () => this.membersMap(),
      openGate: (peerMembers) => {
        if (this.gateIsOpen || this.closed) return
        this.gateIsOpen = true
        this.host.counters.gateOpened++
        this.onPeerExtensions(peerMembers, true)
        this.host.onGate?.('open')
      },
      gateFailed: () => {
        this.host.counters.gateFailed++
        this.host.onGate?.('failed')
      },
    }
    const instance = reg.definition.create(session, link)
    this.active.set(reg.localId, { reg, instance, session, ready: false })
  }
}
