// A strict, Buffer-based bencode codec for KRPC. We own it (instead of bencode 4, which yields
// Uint8Array) because k-rpc and bittorrent-dht expect Buffers, and because hostile datagrams need
// hard caps: depth, integer width, trailing bytes and duplicate dict keys are checked on decode (key
// order is not: some clients get it wrong).
import { BencodeError } from './errors.js'
import { MAX_BENCODE_DEPTH } from './constants.js'

export type BValue = Buffer | number | BValue[] | BDict
export interface BDict {
  [key: string]: BValue
}
/** What the encoder accepts: strings are encoded as UTF-8 bytes. */
export type BInput =
  | Buffer
  | Uint8Array
  | string
  | number
  | boolean
  | RawBencode
  | BInput[]
  | { [key: string]: BInput | undefined | null }

/** Bytes that are already bencoded, copied verbatim by the encoder (e.g. a cached peer list). */
export class RawBencode {
  constructor(readonly bytes: Buffer) {}
}

const D = 0x64
const E = 0x65
const I = 0x69
const L = 0x6c
const COLON = 0x3a
const CANONICAL_INT = /^(?:0|-?[1-9][0-9]*)$/

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
    const text = buf.toString('latin1', st.pos, end)
    // Number() alone would also take "0x10", " 1", "+1", "-0" and "01" (BEP 3: decimal, no leading zero).
    if (!CANONICAL_INT.test(text)) throw new BencodeError('bad integer')
    const n = Number(text)
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
      const key = decodeKey(buf, st)
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

/** A dict key as a latin1 string, without the Buffer view decodeString makes (hot for KRPC). */
function decodeKey(buf: Buffer, st: { pos: number }): string {
  const c = buf[st.pos]
  const d = buf[st.pos + 1]
  // Short keys ("a", "id", "info_hash"...) have a one-digit length: read them byte by byte.
  if (c !== undefined && c >= 0x30 && c <= 0x39 && d === COLON) {
    const start = st.pos + 2
    const end = start + (c - 0x30)
    if (end > buf.length) throw new BencodeError('string past end')
    let key = ''
    for (let i = start; i < end; i++) key += String.fromCharCode(buf[i]!)
    st.pos = end
    return key
  }
  return decodeString(buf, st).toString('latin1')
}

function decodeString(buf: Buffer, st: { pos: number }): Buffer {
  let len = 0
  let p = st.pos
  let digits = 0
  for (;;) {
    const c = buf[p]
    if (c === undefined) throw new BencodeError('unexpected end')
    if (c === COLON) break
    if (c < 0x30 || c > 0x39 || ++digits > 6 || (digits === 2 && len === 0))
      throw new BencodeError('bad string length')
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
  // Two passes (size, then write into one allocation): KRPC replies are encoded on the hot path.
  const buf = Buffer.allocUnsafe(sizeOf(value))
  const end = writeAt(value, buf, 0)
  return end === buf.length ? buf : buf.subarray(0, end)
}

/**
 * A KRPC response `{r: {...r, id}, t, y: 'r'}` encoded without building that object: the reply
 * path runs once per query, and the spread plus generic top-level dict walk was a tenth of it.
 */
export function bencodeResponse(
  t: Buffer,
  id: Buffer,
  r: { [key: string]: BInput | undefined | null },
): Buffer {
  const keys = ['id']
  let rSize = 2 + 4 + digits(id.length) + 1 + id.length
  for (const key in r) {
    const item = r[key]
    if (key === 'id' || item === undefined || item === null) continue
    keys.push(key)
    rSize += digits(key.length) + 1 + key.length + sizeOf(item)
  }
  if (keys.length > 1) keys.sort(compareKeys)
  // d 1:r <r> 1:t <t> 1:y 1:r e
  const buf = Buffer.allocUnsafe(1 + 3 + rSize + 3 + digits(t.length) + 1 + t.length + 6 + 1)
  let o = 0
  buf[o++] = D
  o = writeAscii(buf, o, '1:rd')
  for (const key of keys) {
    o = writeLength(buf, o, key.length)
    o = writeAscii(buf, o, key)
    o = writeAt(key === 'id' ? id : r[key]!, buf, o)
  }
  o = writeAscii(buf, o, 'e1:t')
  o = writeAt(t, buf, o)
  o = writeAscii(buf, o, '1:y1:re')
  return o === buf.length ? buf : buf.subarray(0, o)
}

function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : String(n).length
}

function sizeOf(v: BInput): number {
  if (v instanceof RawBencode) return v.bytes.length
  if (v instanceof Uint8Array) return digits(v.length) + 1 + v.length
  if (typeof v === 'string') {
    const n = Buffer.byteLength(v)
    return digits(n) + 1 + n
  }
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new BencodeError('only safe integers can be encoded')
    return String(v).length + 2
  }
  if (typeof v === 'boolean') return 3
  let n = 2
  if (Array.isArray(v)) {
    for (const item of v) n += sizeOf(item)
    return n
  }
  for (const key of Object.keys(v)) {
    const item = v[key]
    if (item === undefined || item === null) continue
    const kl = Buffer.byteLength(key, 'latin1')
    n += digits(kl) + 1 + kl + sizeOf(item)
  }
  return n
}

function writeAt(v: BInput, buf: Buffer, o: number): number {
  if (v instanceof RawBencode) {
    buf.set(v.bytes, o)
    return o + v.bytes.length
  }
  if (v instanceof Uint8Array) {
    o = writeLength(buf, o, v.length)
    buf.set(v, o)
    return o + v.length
  }
  if (typeof v === 'string') {
    o = writeLength(buf, o, Buffer.byteLength(v))
    return o + buf.write(v, o, 'utf8')
  }
  if (typeof v === 'number') {
    buf[o++] = I
    o = writeAscii(buf, o, String(v))
    buf[o++] = E
    return o
  }
  if (typeof v === 'boolean') return writeAscii(buf, o, v ? 'i1e' : 'i0e')
  if (Array.isArray(v)) {
    buf[o++] = L
    for (const item of v) o = writeAt(item, buf, o)
    buf[o++] = E
    return o
  }
  buf[o++] = D
  const keys = Object.keys(v)
  if (keys.length > 1) keys.sort(compareKeys)
  for (const key of keys) {
    const item = v[key]
    if (item === undefined || item === null) continue
    o = writeLength(buf, o, key.length)
    o = writeAscii(buf, o, key)
    o = writeAt(item, buf, o)
  }
  buf[o++] = E
  return o
}

// Byte-by-byte writes beat Buffer#write for the few-character strings bencode is made of.
function writeAscii(buf: Buffer, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[o++] = s.charCodeAt(i) & 0xff
  return o
}

function writeLength(buf: Buffer, o: number, n: number): number {
  o = n < 10 ? ((buf[o] = 0x30 + n), o + 1) : writeAscii(buf, o, String(n))
  buf[o] = COLON
  return o + 1
}

function compareKeys(a: string, b: string): number {
  // Latin-1 strings compare code unit by code unit exactly like their raw bytes.
  return a < b ? -1 : a > b ? 1 : 0
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
