import { BencodeError } from '../errors.js'
import type { BValue } from './types.js'

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1')
const D = ascii('d')
const L = ascii('l')
const E = ascii('e')

/**
 * Canonical bencoding (BEP 3): dictionary keys sorted as raw bytes, integers without leading zeros.
 * Our own encoder because bencode@4 sorts Map keys that are byte arrays by their decimal text, and
 * object keys are UTF-16 strings that cannot hold non-UTF-8 path elements.
 */
export function bencode(value: BValue): Uint8Array {
  const parts: Buffer[] = []
  write(parts, value, 0)
  return new Uint8Array(Buffer.concat(parts))
}

function write(parts: Buffer[], value: BValue, depth: number): void {
  if (depth > 512) throw new BencodeError('value nested too deeply')
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new BencodeError(`not a safe integer: ${value}`)
    parts.push(ascii(`i${value}e`))
  } else if (value instanceof Uint8Array) {
    parts.push(ascii(`${value.byteLength}:`), Buffer.from(value.buffer, value.byteOffset, value.byteLength))
  } else if (Array.isArray(value)) {
    parts.push(L)
    for (const item of value) write(parts, item, depth + 1)
    parts.push(E)
  } else {
    parts.push(D)
    for (const key of [...value.keys()].sort()) {
      const k = ascii(key)
      if (k.toString('latin1') !== key) throw new BencodeError('dictionary key is not a binary string')
      parts.push(ascii(`${k.byteLength}:`), k)
      write(parts, value.get(key) as BValue, depth + 1)
    }
    parts.push(E)
  }
}
