// BEP 3 framing for piece transfer: the 68-byte handshake, then length-prefixed messages. The length
// prefix is checked before anything is buffered, so a hostile peer cannot make us hold more than
// one message of at most `maxLength` bytes.
import { MSG, PROTOCOL_NAME, RESERVED } from '../constants.js'
import { PieceError } from './errors.js'

export interface Handshake {
  infoHash: Uint8Array
  peerId: Uint8Array
  extended: boolean
}

export interface Message {
  id: number
  payload: Buffer
}

const PSTR = Buffer.from(PROTOCOL_NAME, 'latin1')

export function encodeHandshake(infoHash: Uint8Array, peerId: Uint8Array, extended: boolean): Buffer {
  const reserved = Buffer.alloc(8)
  if (extended) reserved[RESERVED.extended.byte] = RESERVED.extended.mask
  return Buffer.concat([Buffer.from([PSTR.length]), PSTR, reserved, infoHash, peerId])
}

export function encodeMessage(id: number, ...parts: Uint8Array[]): Buffer {
  const len = 1 + parts.reduce((n, p) => n + p.length, 0)
  const head = Buffer.alloc(5)
  head.writeUInt32BE(len, 0)
  head[4] = id
  return Buffer.concat([head, ...parts])
}

export const u32s = (...ns: number[]): Buffer => {
  const b = Buffer.alloc(4 * ns.length)
  ns.forEach((n, i) => b.writeUInt32BE(n, i * 4))
  return b
}

export const encodeRequest = (index: number, begin: number, length: number): Buffer =>
  encodeMessage(MSG.request, u32s(index, begin, length))
export const encodePiece = (index: number, begin: number, block: Uint8Array): Buffer =>
  encodeMessage(MSG.piece, u32s(index, begin), block)
export const encodeHave = (index: number): Buffer => encodeMessage(MSG.have, u32s(index))

export function encodeBitfield(count: number, has: (i: number) => boolean): Buffer {
  const bits = Buffer.alloc(Math.ceil(count / 8))
  for (let i = 0; i < count; i++) if (has(i)) bits[i >> 3] = (bits[i >> 3] ?? 0) | (0x80 >> (i & 7))
  return encodeMessage(MSG.bitfield, bits)
}

/** Incremental reader: handshake first, then messages; keep-alives are reported as id -1. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0)
  private handshook = false

  constructor(
    private readonly maxLength: number,
    private readonly onHandshake: (h: Handshake) => void,
    private readonly onMessage: (m: Message) => void,
  ) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    for (;;) {
      if (!this.handshook) {
        if (this.buf.length < 68) return
        if (this.buf[0] !== PSTR.length || !this.buf.subarray(1, 20).equals(PSTR))
          throw new PieceError('ERR_PIECE_PROTOCOL', 'not a BitTorrent handshake')
        const h = this.buf.subarray(0, 68)
        this.buf = this.buf.subarray(68)
        this.handshook = true
        this.onHandshake({
          infoHash: new Uint8Array(h.subarray(28, 48)),
          peerId: new Uint8Array(h.subarray(48, 68)),
          extended: ((h[20 + RESERVED.extended.byte] ?? 0) & RESERVED.extended.mask) !== 0,
        })
        continue
      }
      if (this.buf.length < 4) return
      const len = this.buf.readUInt32BE(0)
      if (len > this.maxLength)
        throw new PieceError('ERR_PIECE_PROTOCOL', `message of ${len} bytes exceeds ${this.maxLength}`)
      if (this.buf.length < 4 + len) return
      const body = this.buf.subarray(4, 4 + len)
      this.buf = this.buf.subarray(4 + len)
      if (len === 0) this.onMessage({ id: -1, payload: body })
      else this.onMessage({ id: body[0] as number, payload: body.subarray(1) })
    }
  }
}
