import { MAX_BENCODE_DEPTH } from '../constants.js'
import { BencodeError } from '../errors.js'
import type { BDict, BValue } from './types.js'

export interface DecodeOptions {
  /** Reject dictionaries whose keys are not in strictly ascending byte order (default true). */
  strictOrder?: boolean
  /** Nesting limit against hostile input (default MAX_BENCODE_DEPTH). */
  maxDepth?: number
}

export interface Decoded {
  value: BValue
  /** Byte ranges [start, end) of the values of the top-level dictionary, by key. */
  spans: Map<string, [number, number]>
}

const C_I = 0x69
const C_L = 0x6c
const C_D = 0x64
const C_E = 0x65
const C_COLON = 0x3a
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39

/** Decodes exactly one bencoded value covering all of `bytes`; trailing data is an error. */
export function bdecode(bytes: Uint8Array, options: DecodeOptions = {}): BValue {
  return bdecodeWithSpans(bytes, options).value
}

/** Like bdecode, and reports where each top-level value sits, so an info dict can be hashed as found. */
export function bdecodeWithSpans(bytes: Uint8Array, options: DecodeOptions = {}): Decoded {
  const d = new Decoder(bytes, options.strictOrder ?? true, options.maxDepth ?? MAX_BENCODE_DEPTH)
  const spans = new Map<string, [number, number]>()
  const value = d.value(0, spans)
  if (d.pos !== bytes.byteLength) throw new BencodeError(`trailing data at offset ${d.pos}`)
  return { value, spans }
}

class Decoder {
  pos = 0
  private readonly buf: Buffer

  constructor(
    bytes: Uint8Array,
    private readonly strictOrder: boolean,
    private readonly maxDepth: number,
  ) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  value(depth: number, spans?: Map<string, [number, number]>): BValue {
    if (depth > this.maxDepth) throw new BencodeError('nested too deeply')
    const c = this.buf[this.pos]
    if (c === C_I) return this.int()
    if (c === C_L) {
      this.pos++
      const list: BValue[] = []
      while (this.peek() !== C_E) list.push(this.value(depth + 1))
      this.pos++
      return list
    }
    if (c === C_D) return this.dict(depth, spans)
    if (isDigit(c)) return new Uint8Array(this.string())
    throw new BencodeError(
      c === undefined ? 'unexpected end of input' : `unexpected byte at offset ${this.pos}`,
    )
  }

  private peek(): number {
    const c = this.buf[this.pos]
    if (c === undefined) throw new BencodeError('unexpected end of input')
    return c
  }

  private dict(depth: number, spans?: Map<string, [number, number]>): BDict {
    this.pos++
    const out: BDict = new Map()
    let last: string | undefined
    while (this.peek() !== C_E) {
      if (!isDigit(this.buf[this.pos]))
        throw new BencodeError(`dictionary key is not a string at ${this.pos}`)
      const key = this.string().toString('latin1')
      if (out.has(key)) throw new BencodeError('duplicate dictionary key')
      if (this.strictOrder && last !== undefined && key <= last) {
        throw new BencodeError('dictionary keys are not sorted')
      }
      last = key
      const start = this.pos
      out.set(key, this.value(depth + 1))
      spans?.set(key, [start, this.pos])
    }
    this.pos++
    return out
  }

  private int(): number {
    const end = this.buf.indexOf(C_E, this.pos + 1)
    if (end < 0) throw new BencodeError('unterminated integer')
    const text = this.buf.toString('latin1', this.pos + 1, end)
    // BEP 3: no leading zeros and no negative zero.
    if (!/^(0|-?[1-9][0-9]*)$/.test(text)) throw new BencodeError(`invalid integer at offset ${this.pos}`)
    const n = Number(text)
    if (!Number.isSafeInteger(n)) throw new BencodeError(`integer out of range at offset ${this.pos}`)
    this.pos = end + 1
    return n
  }

  private string(): Buffer {
    const colon = this.buf.indexOf(C_COLON, this.pos)
    if (colon < 0 || colon - this.pos > 16) throw new BencodeError(`invalid string length at ${this.pos}`)
    const text = this.buf.toString('latin1', this.pos, colon)
    if (!/^(0|[1-9][0-9]*)$/.test(text)) throw new BencodeError(`invalid string length at ${this.pos}`)
    const len = Number(text)
    const start = colon + 1
    if (start + len > this.buf.byteLength) throw new BencodeError('string runs past the end of input')
    this.pos = start + len
    return this.buf.subarray(start, start + len)
  }
}
