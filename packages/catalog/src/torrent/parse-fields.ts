import { isBytes, isDict, isInt, isList, type BDict, type BValue } from '../bencode/types.js'
import { TorrentFormatError } from '../errors.js'

export const fail = (message: string): never => {
  throw new TorrentFormatError(message)
}

export function dictField(d: BDict, key: string, where: string): BDict {
  const v = d.get(key)
  return isDict(v) ? v : fail(`${where}: "${key}" must be a dictionary`)
}

export function bytesField(d: BDict, key: string, where: string): Uint8Array {
  const v = d.get(key)
  return isBytes(v) ? v : fail(`${where}: "${key}" must be a byte string`)
}

export function sizeField(d: BDict, key: string, where: string): number {
  const v = d.get(key)
  return isInt(v) && v >= 0 ? v : fail(`${where}: "${key}" must be a non-negative integer`)
}

export function listField(d: BDict, key: string, where: string): BValue[] {
  const v = d.get(key)
  return isList(v) ? v : fail(`${where}: "${key}" must be a list`)
}

/**
 * Path elements that could escape the download directory are refused rather than sanitised, so
 * what we store is exactly what the torrent says (BEP 52 "file tree", BEP 3 "path"). Same rule as
 * the builder: a backslash is an ordinary byte here; a Windows writer must still sanitise it.
 */
export function checkPathElement(e: BValue | undefined, where: string): Uint8Array {
  if (!isBytes(e)) return fail(`${where}: path element must be a byte string`)
  const s = Buffer.from(e).toString('latin1')
  if (e.byteLength === 0 || s === '.' || s === '..' || s.includes('/') || s.includes('\0')) {
    return fail(`${where}: unsafe path element`)
  }
  return e
}
