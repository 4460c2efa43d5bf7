// The one module that touches bittorrent-protocol. It keeps the library's BEP-3 parser and message
// writers, and replaces what is unsound for hostile peers:
// - every incoming chunk passes a FrameGuard first (max message length checked on the length prefix,
//   fixed-size messages checked before the library reads their fields);
// - `_onMessage` and `_onHandshakeBuffer` run inside try/catch, so nothing thrown while parsing or in a
//   listener escapes into the stream machinery (where it would crash the process);
// - `_onExtended` is replaced: the BEP-10 handshake is parsed with our strict bencode decoder and every
//   extended message is handed to one callback, so extensions are ours, not `wire.use()` plugins;
// - `_sendExtendedHandshake` is replaced, so the `m` dict we advertise is exactly what the caller built
//   (members-only extensions never appear in it).
import Wire from 'bittorrent-protocol'
import { FrameGuard, type FrameViolation } from './frame-guard.js'

export interface WireHandshake {
  infoHash: Uint8Array
  peerId: Uint8Array
  dht: boolean
  fast: boolean
  extended: boolean
}

export interface ProtocolWireHooks {
  onHandshake(h: WireHandshake): void
  /** id 0 is the BEP-10 handshake; other ids are our local extension ids as assigned in our `m`. */
  onExtended(id: number, payload: Uint8Array): void
  onPort(port: number): void
  /** Bytes to send as the BEP-10 extended handshake, built when the library decides to send it. */
  buildExtendedHandshake(): Uint8Array
  /** Any error (violation, exception in a hook, library error): the owner closes the connection. */
  onFailure(reason: string, err?: unknown): void
  onEnd(): void
  /** Backpressure toward the socket: the Wire's write buffer is full / has drained. */
  pauseSource(): void
  resumeSource(): void
}

/** Private members of the stock Wire we override; typed here so the casts stay in this file. */
interface WirePrivates {
  _onMessage(buf: Uint8Array): void
  _onHandshakeBuffer(buf: Uint8Array): void
  _onExtended(ext: number, buf: Uint8Array): void
  _sendExtendedHandshake(): void
  _extendedHandshakeSent: boolean
}

export function describeViolation(v: FrameViolation): string {
  if (v.kind === 'bad-handshake') return `bad handshake: ${v.detail}`
  if (v.kind === 'message-too-large') return `message length ${v.length} exceeds ${v.max}`
  return `message id ${v.id} with bad length ${v.length}`
}

export class ProtocolWire {
  private readonly wire: Wire
  private readonly guard: FrameGuard
  private failed = false

  constructor(
    private readonly hooks: ProtocolWireHooks,
    maxMessageLength: number,
    onOutgoing: (chunk: Uint8Array) => void,
  ) {
    this.guard = new FrameGuard(maxMessageLength)
    const wire = new Wire('', 0)
    this.wire = wire
    const priv = wire as unknown as WirePrivates
    const onMessage = priv._onMessage
    const onHandshakeBuffer = priv._onHandshakeBuffer
    priv._onMessage = (buf) => this.guarded(() => onMessage.call(wire, buf))
    priv._onHandshakeBuffer = (buf) => this.guarded(() => onHandshakeBuffer.call(wire, buf))
    priv._onExtended = (ext, buf) => this.guarded(() => hooks.onExtended(ext, buf))
    priv._sendExtendedHandshake = () => {
      wire.extended(0, hooks.buildExtendedHandshake())
      priv._extendedHandshakeSent = true
    }
    wire.on('handshake', (infoHashHex: string, peerIdHex: string, ext: Partial<Record<string, boolean>>) =>
      this.guarded(() =>
        hooks.onHandshake({
          infoHash: Buffer.from(infoHashHex, 'hex'),
          peerId: Buffer.from(peerIdHex, 'hex'),
          dht: ext['dht'] === true,
          fast: ext['fast'] === true,
          extended: ext['extended'] === true,
        }),
      ),
    )
    wire.on('port', (port: number) => this.guarded(() => hooks.onPort(port)))
    wire.on('data', (chunk: Uint8Array) => onOutgoing(chunk))
    wire.on('error', (err: unknown) => this.fail('wire error', err))
    wire.on('drain', () => hooks.resumeSource())
    wire.on('end', () => hooks.onEnd())
    wire.on('close', () => hooks.onEnd())
  }

  /** Feeds bytes from the socket. Returns false (and reports a failure) if the stream is malformed. */
  receive(chunk: Uint8Array): boolean {
    if (this.failed) return false
    const violation = this.guard.inspect(chunk)
    if (violation) {
      this.fail(describeViolation(violation), violation)
      return false
    }
    if (!this.wire.write(chunk)) this.hooks.pauseSource()
    return !this.failed
  }

  get handshakeReceived(): boolean {
    return this.guard.handshakeDone
  }

  handshake(infoHash: Uint8Array, peerId: Uint8Array, dht: boolean): void {
    this.wire.handshake(infoHash, peerId, { dht })
  }

  extended(id: number, payload: Uint8Array): void {
    if (!this.failed) this.wire.extended(id, payload)
  }

  port(port: number): void {
    if (!this.failed) this.wire.port(port)
  }

  keepAlive(): void {
    if (!this.failed) this.wire.keepAlive()
  }

  destroy(): void {
    this.failed = true
    this.wire.removeAllListeners('data')
    this.wire.destroy()
  }

  private guarded(fn: () => void): void {
    if (this.failed) return
    try {
      fn()
    } catch (err) {
      this.fail(err instanceof Error ? err.message : 'exception in handler', err)
    }
  }

  private fail(reason: string, err?: unknown): void {
    if (this.failed) return
    this.failed = true
    this.hooks.onFailure(reason, err)
  }
}
