// A strict bencode codec (BEP-3). Ours rather than the `bencode` package because we need: a depth cap,
// safe integers only, the end offset of the first value (BEP-9 puts raw bytes after the dict), byte
// ranges of raw values (the info dict must be hashed byte-exact), and errors instead of silent garbage.
import { MAX_BENCODE_DEPTH } from '../constants.js'
import { BencodeError } from '../errors.js'

/** Dict keys are byte strings; we hold them as latin1 strings so every byte round-trips exactly. */
export type BValue = number | Uint8Array | BValue[] | BDict
export interface BDict {
  [key: string]: BValue
}

const I = 0x69 // i
const L = 0x6c // l
const D = 0x64 // d
const E = 0x65 // e
const COLON = 0x3a
const MINUS = 0x2d
const ZERO = 0x30
const NINE = 0x39

/** Decodes exactly one value that must span the whole buffer. */
export function decode(buf: Uint8Array): BValue {
  const [value, end] = decodePrefix(buf)
  if (end !== buf.length) throw new BencodeError(`trailing bytes after value at ${end}`)
  return value
}

/** Decodes the first value of `buf`; returns it and the offset just past it. */
export function decodePrefix(buf: Uint8Array, start = 0): [BValue, number] {
  return decodeAt(buf, start, 0)
}

/** Byte range of a top-level dict's value for `key` (e.g. `info` in a .torrent), or undefined. */
export function rawDictValue(buf: Uint8Array, key: string): Uint8Array | undefined {
  if (buf[0] !== D) throw new BencodeError('not a dict')
  let pos = 1
  while (pos < buf.length && buf[pos] !== E) {
    const [k, afterKey] = decodeString(buf, pos)
    const [, afterValue] = decodeAt(buf, afterKey, 1)
    if (latin1(k) === key) return buf.subarray(afterKey, afterValue)
    pos = afterValue
  }
  if (pos >= buf.length) throw new BencodeError('unterminated dict')
  return undefined
}

function decodeAt(buf: Uint8Array, pos: number, depth: number): [BValue, number] {
  if (depth > MAX_BENCODE_DEPTH) throw new BencodeError('nesting too deep')
  const c = buf[pos]
  if (c === undefined) throw new BencodeError('unexpected end of input')
  if (c === I) return decodeInt(buf, pos)
  if (c >= ZERO && c <= NINE) return decodeString(buf, pos)
  if (c === L) {
    const list: BValue[] = []
    pos++
    while (buf[pos] !== E) {
      if (pos >= buf.length) throw new BencodeError('unterminated list')
      const [v, next] = decodeAt(buf, pos, depth + 1)
      list.push(v)
      pos = next
    }
    return [list, pos + 1]
  }
  if (c === D) {
    const dict: BDict = Object.create(null) as BDict
    pos++
    let prev: string | undefined
    while (buf[pos] !== E) {
      if (pos >= buf.length) throw new BencodeError('unterminated dict')
      const [kb, afterKey] = decodeString(buf, pos)
      const key = latin1(kb)
      // BEP-3: keys are sorted; we accept unsorted input (real torrents have it) but not duplicates.
      if (key === prev || Object.prototype.hasOwnProperty.call(dict, key)) {
        throw new BencodeError('duplicate dict key')
      }
      const [v, next] = decodeAt(buf, afterKey, depth + 1)
      dict[key] = v
      prev = key
      pos = next
    }
    return [dict, pos + 1]
  }
  throw new BencodeError(`unexpected byte 0x${c.toString(16)} at ${pos}`)
}

function decodeInt(buf: Uint8Array, pos: number): [number, number] {
  let p = pos + 1
  let negative = false
  if (buf[p] === MINUS) {
    negative = true
    p++
  }
  const digitsStart = p
  let n = 0
  while (p < buf.length && buf[p] !== E) {
    const d = buf[p]!
    if (d < ZERO || d > NINE) throw new BencodeError(`bad integer digit at ${p}`)
    n = n * 10 + (d - ZERO)
    p++
  }
  if (p >= buf.length) throw new BencodeError('unterminated integer')
  const len = p - digitsStart
  if (len === 0) throw new BencodeError('empty integer')
  if (len > 1 && buf[digitsStart] === ZERO) throw new BencodeError('integer with leading zero')
  if (negative && n === 0) throw new BencodeError('negative zero')
  if (!Number.isSafeInteger(n)) throw new BencodeError('integer out of safe range')
  return [negative ? -n : n, p + 1]
}

function decodeString(buf: Uint8Array, pos: number): [Uint8Array, number] {
  let p = pos
  let len = 0
  while (p < buf.length && buf[p] !== COLON) {
    const d = buf[p]!
    if (d < ZERO || d > NINE) throw new BencodeError(`bad string length at ${p}`)
    len = len * 10 + (d - ZERO)
    if (len > buf.length) throw new BencodeError('string longer than input')
    p++
  }
  if (p >= buf.length || p === pos) throw new BencodeError('bad string length')
  if (p - pos > 1 && buf[pos] === ZERO) throw new BencodeError('string length with leading zero')
  const start = p + 1
  const end = start + len
  if (end > buf.length) throw new BencodeError('string runs past end of input')
  return [buf.subarray(start, end), end]
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')
}

/** Encodes a value; dict keys are written in sorted byte order (BEP-3). */
export function encode(value: BValue): Uint8Array {
  const parts: Uint8Array[] = []
  encodeInto(value, parts, 0)
  return Buffer.concat(parts)
}

function encodeInto(value: BValue, parts: Uint8Array[], depth: number): void {
  if (depth > MAX_BENCODE_DEPTH) throw new BencodeError('nesting too deep')
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new BencodeError('only safe integers can be encoded')
    parts.push(Buffer.from(`i${value}e`, 'latin1'))
  } else if (value instanceof Uint8Array) {
    parts.push(Buffer.from(`${value.length}:`, 'latin1'), value)
  } else if (Array.isArray(value)) {
    parts.push(Buffer.from('l', 'latin1'))
    for (const v of value) encodeInto(v, parts, depth + 1)
    parts.push(Buffer.from('e', 'latin1'))
  } else {
    parts.push(Buffer.from('d', 'latin1'))
    for (const key of Object.keys(value).sort()) {
      const v = value[key]
      if (v === undefined) continue
      const kb = Buffer.from(key, 'latin1')
      parts.push(Buffer.from(`${kb.length}:`, 'latin1'), kb)
      encodeInto(v, parts, depth + 1)
    }
    parts.push(Buffer.from('e', 'latin1'))
  }
}

/** Builds a dict with a null prototype (so keys such as `__proto__` are plain data). */
export function dict(entries: Record<string, BValue | undefined>): BDict {
  const d: BDict = Object.create(null) as BDict
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) d[k] = v
  return d
}

export function isDict(v: BValue | undefined): v is BDict {
  return v !== undefined && typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v)
}

export function bytes(s: string): Uint8Array {
  return Buffer.from(s, 'utf8')
}

export function text(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')
}
