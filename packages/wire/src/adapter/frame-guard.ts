// Inspects the incoming byte stream before bittorrent-protocol buffers it. The stock Wire trusts the
// 4-byte length prefix (BEP-3) and buffers that many bytes, so a 0x7fffffff prefix would make it hold
// 2 GiB; it also reads fixed-size fields without checking the message is long enough. We track message
// boundaries here without copying payloads and refuse the connection as soon as a header is wrong.
import { FIXED_MESSAGE_LENGTH, HANDSHAKE_LENGTH, MIN_MESSAGE_LENGTH, PROTOCOL_NAME } from '../constants.js'

export type FrameViolation =
  | { kind: 'bad-handshake'; detail: string }
  | { kind: 'message-too-large'; length: number; max: number }
  | { kind: 'bad-message-length'; id: number; length: number }

const PSTR = Buffer.from(PROTOCOL_NAME, 'latin1')

export class FrameGuard {
  /** Bytes of the handshake seen so far (0..HANDSHAKE_LENGTH). */
  private handshakeSeen = 0
  private readonly lengthBytes = Buffer.alloc(4)
  private lengthSeen = 0
  /** Payload bytes still to skip in the current message; -1 while waiting for the id byte. */
  private remaining = 0
  private currentLength = 0
  /** Complete messages seen (keep-alives included). */
  messages = 0

  constructor(private readonly maxMessageLength: number) {}

  get handshakeDone(): boolean {
    return this.handshakeSeen === HANDSHAKE_LENGTH
  }

  /** Returns the first violation in `chunk`, or undefined if everything so far is well framed. */
  inspect(chunk: Uint8Array): FrameViolation | undefined {
    let i = 0
    while (i < chunk.length) {
      if (this.handshakeSeen < HANDSHAKE_LENGTH) {
        const b = chunk[i]!
        const h = this.handshakeSeen
        if (h === 0 && b !== PSTR.length) return { kind: 'bad-handshake', detail: `pstrlen ${b}` }
        if (h >= 1 && h <= PSTR.length && b !== PSTR[h - 1]) {
          return { kind: 'bad-handshake', detail: 'protocol string mismatch' }
        }
        this.handshakeSeen++
        i++
        continue
      }
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i)
        this.remaining -= take
        i += take
        if (this.remaining === 0) this.messages++
        continue
      }
      if (this.remaining === -1) {
        const id = chunk[i]!
        const fixed = FIXED_MESSAGE_LENGTH.get(id)
        const min = MIN_MESSAGE_LENGTH.get(id)
        const len = this.currentLength
        if ((fixed !== undefined && len !== fixed) || (min !== undefined && len < min)) {
          return { kind: 'bad-message-length', id, length: len }
        }
        this.remaining = len - 1
        i++
        if (this.remaining === 0) this.messages++
        continue
      }
      this.lengthBytes[this.lengthSeen++] = chunk[i]!
      i++
      if (this.lengthSeen === 4) {
        this.lengthSeen = 0
        const len = this.lengthBytes.readUInt32BE(0)
        if (len > this.maxMessageLength)
          return { kind: 'message-too-large', length: len, max: this.maxMessageLength }
        this.currentLength = len
        if (len === 0) this.messages++
        else this.remaining = -1
      }
    }
    return undefined
  }
}
