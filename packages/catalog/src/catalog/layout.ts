// The catalog header (catalog.json): format, layout and, for sharded catalogs, the index of shards.
import {
  CATALOG_FORMAT,
  CATALOG_HEADER_FILE,
  CATALOG_LIBRARY_FILE,
  CATALOG_MAX_HEADER_BYTES,
  CATALOG_MAX_PREFIX_BITS,
  CATALOG_SHARD_DIR,
  CATALOG_VERSION,
} from '../constants.js'
import { CatalogFormatError } from '../errors.js'

export interface ShardInfo {
  /** Lower-case hex prefix of the entry keys in this shard. */
  prefix: string
  entries: number
}

export type CatalogHeader =
  | { layout: 'whole'; entries: number }
  | { layout: 'sharded'; entries: number; prefixBits: number; shards: ShardInfo[] }

/**
 * The shard of an entry key: its first `bits` bits, written as ceil(bits / 4) hex digits with the
 * bits past `bits` set to zero (14 bits of 'a3f9…' → 'a3f8').
 */
export function shardOf(key: string, bits: number): string {
  const digits = Math.ceil(bits / 4)
  const v = Number.parseInt(key.slice(0, digits), 16)
  const drop = digits * 4 - bits
  return ((v >>> drop) << drop).toString(16).padStart(digits, '0')
}

/** Path of a payload file inside the catalog torrent, as elements. */
export const shardPath = (prefix: string): string[] => [CATALOG_SHARD_DIR, `${prefix}.ndjson`]
export const libraryPath = (): string[] => [CATALOG_LIBRARY_FILE]
export const headerPath = (): string[] => [CATALOG_HEADER_FILE]

/** Canonical header bytes: fixed key order, one trailing newline. */
export function encodeHeader(h: CatalogHeader): Uint8Array {
  const obj =
    h.layout === 'whole'
      ? { format: CATALOG_FORMAT, version: CATALOG_VERSION, layout: 'whole', entries: h.entries }
      : {
          format: CATALOG_FORMAT,
          version: CATALOG_VERSION,
          layout: 'sharded',
          entries: h.entries,
          prefixBits: h.prefixBits,
          shards: h.shards.map((s) => ({ prefix: s.prefix, entries: s.entries })),
        }
  return new Uint8Array(Buffer.from(JSON.stringify(obj) + '\n', 'utf8'))
}

const bad = (why: string): never => {
  throw new CatalogFormatError(`catalog.json: ${why}`)
}
const count = (v: unknown, what: string): number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : bad(`${what} is not a count`)

/** Parses and validates the header; it must be canonical (re-encoding gives the same bytes). */
export function parseHeader(bytes: Uint8Array): CatalogHeader {
  if (bytes.byteLength > CATALOG_MAX_HEADER_BYTES) bad('too large')
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return bad('not UTF-8 JSON')
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('not an object')
  const o = v as Record<string, unknown>
  if (o['format'] !== CATALOG_FORMAT) bad('unknown format')
  if (o['version'] !== CATALOG_VERSION) bad(`unsupported version ${String(o['version'])}`)
  let h: CatalogHeader
  if (o['layout'] === 'whole') h = { layout: 'whole', entries: count(o['entries'], 'entries') }
  else if (o['layout'] === 'sharded') {
    const prefixBits = count(o['prefixBits'], 'prefixBits')
    if (prefixBits < 1 || prefixBits > CATALOG_MAX_PREFIX_BITS) bad('prefixBits out of range')
    if (!Array.isArray(o['shards'])) return bad('shards is not a list')
    const re = new RegExp(`^[0-9a-f]{${Math.ceil(prefixBits / 4)}}$`)
    let last = ''
    let sum = 0
    const shards = (o['shards'] as unknown[]).map((s): ShardInfo => {
      const r = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>
      const prefix =
        typeof r['prefix'] === 'string' &&
        re.test(r['prefix']) &&
        shardOf(r['prefix'], prefixBits) === r['prefix']
          ? r['prefix']
          : bad('bad prefix')
      if (prefix <= last) bad('shards are not in ascending prefix order')
      last = prefix
      const entries = count(r['entries'], 'shard entries')
      if (entries === 0) bad('empty shard listed')
      sum += entries
      return { prefix, entries }
    })
    h = { layout: 'sharded', entries: count(o['entries'], 'entries'), prefixBits, shards }
    if (sum !== h.entries) bad('shard entry counts do not add up')
  } else return bad('unknown layout')
  if (!Buffer.from(encodeHeader(h)).equals(Buffer.from(bytes))) bad('not in canonical form')
  return h
}

/** Every payload file the header implies, as '/'-joined paths, in no particular order. */
export function expectedFiles(h: CatalogHeader): string[] {
  const files = [headerPath().join('/')]
  if (h.layout === 'whole') files.push(libraryPath().join('/'))
  else for (const s of h.shards) files.push(shardPath(s.prefix).join('/'))
  return files
}
