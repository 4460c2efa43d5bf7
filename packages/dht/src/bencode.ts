// A strict, Buffer-based bencode codec for KRPC. We own it (instead of bencode 4, which yields
// Uint8Array) because k-rpc and bittorrent-dht expect Buffers, and because hostile datagrams need
// hard caps: depth, integer width, trailing bytes, and dict key order are all checked on decode.
import { BencodeError } from './errors.js'
import { MAX_BENCODE_DEPTH } from './constants.js'

export type BValue = Buffer | number | BValue[] | BDict
export interface BDict {
  [key: string]: BValue
}
/** What the encoder accepts: strings are encoded as UTF-8 bytes. */
export type BInput =
  Buffer | Uint8Array | string | number | boolean | BInput[] | { [key: string]: BInput | undefined | null }

const D = 0x64
const E = 0x65
const I = 0x69
const L = 0x6c
const COLON = 0x3a

/** Decodes exactly one value spanning the whole buffer; throws BencodeError otherwise. */
export function bdecode(buf: Buffer, maxDepth = MAX_BENCODE_DEPTH): BValue {
  const state = { pos: 0 }
  const value = decodeAt(buf, state, 0, maxDepth)
  if (state.pos !== buf.length) throw new BencodeError('trailing bytes')
  return value
}

function decodeAt(buf: Buffer, st: { pos: number }, depth: number, maxDepth: number): BValue {
  if (depth > maxDepth) throw new BencodeError('nested too deep')
  const c = buf[st.pos]
  if (c === undefined) throw new BencodeError('unexpected end')
  if (c === I) {
    st.pos++
    const end = buf.indexOf(E, st.pos)
    if (end === -1 || end - st.pos > 16 || end === st.pos) throw new BencodeError('bad integer')
    const n = Number(buf.toString('latin1', st.pos, end))
    if (!Number.isSafeInteger(n)) throw new BencodeError('bad integer')
    st.pos = end + 1
    return n
  }
  if (c === L) {
    st.pos++
    const list: BValue[] = []
    while (buf[st.pos] !== E) list.push(decodeAt(buf, st, depth + 1, maxDepth))
    st.pos++
    return list
  }
  if (c === D) {
    st.pos++
    const dict: BDict = Object.create(null) as BDict
    while (buf[st.pos] !== E) {
      const key = decodeString(buf, st).toString('latin1')
      // Key order is not enforced (some clients get it wrong), but a duplicate key is malformed.
      if (key in dict) throw new BencodeError('duplicate dict key')
      dict[key] = decodeAt(buf, st, depth + 1, maxDepth)
    }
    st.pos++
    return dict
  }
  if (c >= 0x30 && c <= 0x39) return decodeString(buf, st)
  throw new BencodeError('unexpected byte')
}

function decodeString(buf: Buffer, st: { pos: number }): Buffer {
  let len = 0
  let p = st.pos
  let digits = 0
  for (;;) {
    const c = buf[p]
    if (c === undefined) throw new BencodeError('unexpected end')
    if (c === COLON) break
    if (c < 0x30 || c > 0x39 || ++digits > 6) throw new BencodeError('bad string length')
    len = len * 10 + (c - 0x30)
    p++
  }
  if (digits === 0) throw new BencodeError('bad string length')
  const start = p + 1
  const end = start + len
  if (end > buf.length) throw new BencodeError('string past end')
  st.pos = end
  return buf.subarray(start, end)
}

/** Encodes a value; dict keys are sorted, undefined/null members skipped. */
export function bencode(value: BInput): Buffer {
  const parts: Buffer[] = []
  encodeInto(value, parts)
  return Buffer.concat(parts)
}

function encodeInto(v: BInput, out: Buffer[]): void {
  if (Buffer.isBuffer(v)) {
    out.push(Buffer.from(`${v.length}:`, 'latin1'), v)
  } else if (v instanceof Uint8Array) {
    out.push(Buffer.from(`${v.length}:`, 'latin1'), Buffer.from(v.buffer, v.byteOffset, v.byteLength))
  } else if (typeof v === 'string') {
    const b = Buffer.from(v)
    out.push(Buffer.from(`${b.length}:`, 'latin1'), b)
  } else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new BencodeError('only safe integers can be encoded')
    out.push(Buffer.from(`i${v}e`, 'latin1'))
  } else if (typeof v === 'boolean') {
    out.push(Buffer.from(v ? 'i1e' : 'i0e', 'latin1'))
  } else if (Array.isArray(v)) {
    out.push(Buffer.from('l', 'latin1'))
    for (const item of v) encodeInto(item, out)
    out.push(Buffer.from('e', 'latin1'))
  } else {
    out.push(Buffer.from('d', 'latin1'))
    const keys = Object.keys(v).sort(compareKeys)
    for (const key of keys) {
      const item = v[key]
      if (item === undefined || item === null) continue
      const kb = Buffer.from(key, 'latin1')
      out.push(Buffer.from(`${kb.length}:`, 'latin1'), kb)
      encodeInto(item, out)
    }
    out.push(Buffer.from('e', 'latin1'))
  }
}

function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'))
}

/** Type guards used by every codec. */
export function isDict(v: BValue | undefined): v is BDict {
  return v !== undefined && typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v)
}
export function isBytes(v: BValue | undefined, length?: number): v is Buffer {
  return Buffer.isBuffer(v) && (length === undefined || v.length === length)
}
export function isInt(v: BValue | undefined): v is number {
  return typeof v === 'number'
}
