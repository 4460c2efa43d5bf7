// BEP 3 framing for piece transfer: the 68-byte handshake, then length-prefixed messages. The length
// prefix is checked before anything is buffered, so a hostile peer cannot make us hold more than
// one message of at most `maxLength` bytes.
import { HASH_REQUEST_PAYLOAD, MSG, PROTOCOL_NAME, RESERVED } from '../constants.js'
import { PieceError } from './errors.js'
import { HASH_LENGTH, uncleCount } from './merkle.js'

export interface Handshake {
  infoHash: Uint8Array
  peerId: Uint8Array
  extended: boolean
  /** BEP 52 reserved bit: the peer supports v2 (hash requests), e.g. on a hybrid's v1 handshake. */
  v2: boolean
}

export interface Message {
  id: number
  payload: Buffer
}

const PSTR = Buffer.from(PROTOCOL_NAME, 'latin1')

export function encodeHandshake(
  infoHash: Uint8Array,
  peerId: Uint8Array,
  extended: boolean,
  v2 = false,
): Buffer {
  const reserved = Buffer.alloc(8)
  if (extended) reserved[RESERVED.extended.byte] = RESERVED.extended.mask
  if (v2) reserved[RESERVED.v2.byte] = (reserved[RESERVED.v2.byte] ?? 0) | RESERVED.v2.mask
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

/** BEP 52 hash request (id 21) and hash reject (id 23): which hashes of which file's merkle tree. */
export interface HashRequest {
  /** The file's 32-byte pieces root. */
  piecesRoot: Uint8Array
  /** Height of the requested layer above the 16 KiB block (leaf) layer. */
  base: number
  /** Offset of the first hash in that layer. */
  index: number
  /** Number of hashes of that layer. */
  length: number
  /** Layers above the base whose uncle hashes prove the range (the first log2(length) - 1 are implied). */
  proofLayers: number
}

/** BEP 52 hashes (id 22): the request echoed, then `length` base-layer hashes and the uncle hashes. */
export interface HashesMessage extends HashRequest {
  hashes: Buffer[]
}

const hashHeader = (r: HashRequest): Buffer =>
  Buffer.concat([r.piecesRoot, u32s(r.base, r.index, r.length, r.proofLayers)])

export const encodeHashRequest = (r: HashRequest): Buffer => encodeMessage(MSG.hashRequest, hashHeader(r))
export const encodeHashReject = (r: HashRequest): Buffer => encodeMessage(MSG.hashReject, hashHeader(r))
export const encodeHashes = (r: HashRequest, hashes: readonly Uint8Array[]): Buffer =>
  encodeMessage(MSG.hashes, hashHeader(r), ...hashes)

const readHeader = (p: Buffer): HashRequest => ({
  piecesRoot: new Uint8Array(p.subarray(0, 32)),
  base: p.readUInt32BE(32),
  index: p.readUInt32BE(36),
  length: p.readUInt32BE(40),
  proofLayers: p.readUInt32BE(44),
})

/** Payload (after the id) of a hash request or hash reject; exactly 48 bytes. */
export function decodeHashRequest(payload: Buffer): HashRequest {
  if (payload.length !== HASH_REQUEST_PAYLOAD)
    throw new PieceError('ERR_PIECE_PROTOCOL', `hash request of ${payload.length} bytes, not 48`)
  return readHeader(payload)
}

/** Payload of a hashes message: the header, then exactly length + uncles hashes (BEP 52). */
export function decodeHashes(payload: Buffer): HashesMessage {
  if (payload.length < HASH_REQUEST_PAYLOAD || (payload.length - HASH_REQUEST_PAYLOAD) % HASH_LENGTH !== 0)
    throw new PieceError('ERR_PIECE_PROTOCOL', `hashes message of ${payload.length} bytes`)
  const r = readHeader(payload)
  const n = (payload.length - HASH_REQUEST_PAYLOAD) / HASH_LENGTH
  if (r.length === 0 || n !== r.length + uncleCount(r.length, r.proofLayers))
    throw new PieceError('ERR_PIECE_PROTOCOL', `hashes message with ${n} hashes for length ${r.length}`)
  const hashes: Buffer[] = []
  for (let o = HASH_REQUEST_PAYLOAD; o < payload.length; o += HASH_LENGTH)
    hashes.push(Buffer.from(payload.subarray(o, o + HASH_LENGTH)))
  return { ...r, hashes }
}

export const sameRequest = (a: HashRequest, b: HashRequest): boolean =>
  a.base === b.base &&
  a.index === b.index &&
  a.length === b.length &&
  a.proofLayers === b.proofLayers &&
  Buffer.from(a.piecesRoot).equals(Buffer.from(b.piecesRoot))

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
          v2: ((h[20 + RESERVED.v2.byte] ?? 0) & RESERVED.v2.mask) !== 0,
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
