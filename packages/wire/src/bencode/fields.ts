// Field readers for codecs: each returns a typed value or throws CodecError naming the field.
import { CodecError } from '../errors.js'
import { isDict, type BDict, type BValue } from './bencode.js'

export function intField(d: BDict, key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = d[key]
  if (typeof v !== 'number') throw new CodecError(`field ${key}: expected integer`)
  if (v < min || v > max) throw new CodecError(`field ${key}: ${v} outside [${min}, ${max}]`)
  return v
}

export function optIntField(
  d: BDict,
  key: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  return d[key] === undefined ? undefined : intField(d, key, min, max)
}

export function bytesField(d: BDict, key: string, minLen = 0, maxLen = Number.MAX_SAFE_INTEGER): Uint8Array {
  const v = d[key]
  if (!(v instanceof Uint8Array)) throw new CodecError(`field ${key}: expected byte string`)
  if (v.length < minLen || v.length > maxLen) {
    throw new CodecError(`field ${key}: length ${v.length} outside [${minLen}, ${maxLen}]`)
  }
  return v
}

export function optBytesField(
  d: BDict,
  key: string,
  minLen = 0,
  maxLen = Number.MAX_SAFE_INTEGER,
): Uint8Array | undefined {
  return d[key] === undefined ? undefined : bytesField(d, key, minLen, maxLen)
}

export function dictField(d: BDict, key: string): BDict {
  const v = d[key]
  if (!isDict(v)) throw new CodecError(`field ${key}: expected dict`)
  return v
}

export function listField(d: BDict, key: string, maxLen = Number.MAX_SAFE_INTEGER): BValue[] {
  const v = d[key]
  if (!Array.isArray(v)) throw new CodecError(`field ${key}: expected list`)
  if (v.length > maxLen) throw new CodecError(`field ${key}: more than ${maxLen} entries`)
  return v
}
