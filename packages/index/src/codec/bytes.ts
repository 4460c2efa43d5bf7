import { isUtf8 } from 'node:buffer'
import { INFOHASH_V1_BYTES, INFOHASH_V2_BYTES } from '../constants.js'
import { IndexError } from '../errors.js'

const lossy = new TextDecoder('utf-8', { fatal: false })
const encoder = new TextEncoder()

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/

export function fromHex(hex: string, what: string): Uint8Array {
  if (!HEX_RE.test(hex)) throw new IndexError('BAD_INPUT', `${what} is not hex`)
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

/** Decodes bytes as UTF-8, replacing invalid sequences with U+FFFD (for display and search only). */
export function lossyText(bytes: Uint8Array): string {
  return lossy.decode(bytes)
}

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text)
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes)
}

/** A name or path given as text or raw bytes, split into the lossy text and the raw bytes when they differ. */
export function splitName(value: string | Uint8Array): { text: string; raw: Uint8Array | null } {
  if (typeof value === 'string') return { text: value, raw: null }
  if (isUtf8(value)) return { text: lossy.decode(value), raw: null }
  return { text: lossy.decode(value), raw: value }
}

/** Raw bytes of a name or path given as text or bytes. */
export function rawBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value
}

/** Copies a SQLite blob (a Node Buffer) into a plain Uint8Array so callers never share its pool. */
export function plainBytes(blob: Uint8Array): Uint8Array {
  return new Uint8Array(blob)
}

/** Accepts an infohash as bytes or as 40/64 hex characters. */
export function parseInfohash(value: string | Uint8Array): Uint8Array {
  const bytes = typeof value === 'string' ? fromHex(value, 'infohash') : value
  if (bytes.length !== INFOHASH_V1_BYTES && bytes.length !== INFOHASH_V2_BYTES) {
    throw new IndexError(
      'BAD_INPUT',
      `infohash must be ${INFOHASH_V1_BYTES} or ${INFOHASH_V2_BYTES} bytes (40 or 64 hex characters)`,
    )
  }
  return bytes
}

export function toSeconds(d: Date): number {
  const t = d.getTime()
  if (!Number.isFinite(t)) throw new IndexError('BAD_INPUT', 'invalid date')
  return Math.floor(t / 1000)
}

export function fromSeconds(s: number): Date {
  return new Date(s * 1000)
}
