// The BEP-10 extension framework's public types. An extension is a name, a codec per message type and,
// per connection, a handler table. Codecs validate on decode and return typed values.
import type { BDict } from '../bencode/bencode.js'

export interface EncodedMessage {
  dict: BDict
  /** Raw bytes after the bencoded dict (BEP-9 data messages carry the piece there). */
  trailer?: Uint8Array
}

export interface MessageCodec<T> {
  /**
   * Value of the `msg_type` key that selects this codec (BEP-9 style), or null for extensions with a
   * single message and no `msg_type` key (BEP-11 ut_pex).
   */
  readonly msgType: number | null
  /** Largest encoded message (dict + trailer) accepted; a bigger one closes the connection. */
  readonly maxBytes: number
  /** Whether bytes may follow the dict. If false, trailing bytes are a codec error. */
  readonly trailer?: boolean
  encode(value: T): EncodedMessage
  /** Throws CodecError when a field is missing, mistyped or out of range. */
  decode(dict: BDict, trailer: Uint8Array): T
}

export type Codecs<M> = { readonly [K in keyof M]: MessageCodec<M[K]> }

export interface ExtensionProtocol<M> {
  /** BEP-10 name, e.g. `ut_metadata` or `bb_catalog`. */
  readonly name: string
  /** Only sent and accepted after the members-only gate has opened (docs/PROTOCOL.md). */
  readonly membersOnly?: boolean
  readonly codecs: Codecs<M>
}

/** What a handler can see of its connection. */
export interface ExtensionPeer {
  readonly direction: 'inbound' | 'outbound'
  readonly remoteAddress: string
  readonly remotePort: number
  readonly infoHash: Uint8Array | undefined
  readonly peerId: Uint8Array | undefined
  /** The peer's BEP-10 handshake fields (`v`, `p`, `reqq`, `metadata_size`). */
  readonly clientName: string | undefined
  close(reason: string): void
}

export interface ExtensionSession<M> {
  readonly peer: ExtensionPeer
  send<K extends keyof M>(type: K, value: M[K]): void
}

export type HandlerTable<M> = {
  readonly [K in keyof M]?: (value: M[K], session: ExtensionSession<M>) => void
}

/** Per-connection instance of an extension. A handler that throws closes that connection only. */
export interface ExtensionInstance<M> {
  readonly handlers: HandlerTable<M>
  /** The peer advertised the extension (or, for members-only ones, the gate opened). */
  onReady?(session: ExtensionSession<M>): void
  onClose?(): void
}

/**
 * Connection internals handed to every extension; only the members-only gate needs them (it opens the
 * gate and learns the peer's members-only ids). Other extensions ignore the argument.
 */
export interface ConnectionLink {
  readonly localPeerId: Uint8Array
  /** Our members-only extension ids, to be sent only once the peer proved membership. */
  membersMap(): Record<string, number>
  /** Marks the peer as a member and enables the members-only extensions it listed. */
  openGate(peerMembers: ReadonlyMap<string, number>): void
  gateFailed(): void
}

export interface ExtensionDefinition<M> {
  readonly protocol: ExtensionProtocol<M>
  create(session: ExtensionSession<M>, link: ConnectionLink): ExtensionInstance<M>
}
