// Reads a fetched catalog: the info dict must be a catalog torrent, every file we were given must
// hash to its BEP 52 pieces root, and every line must be a canonical entry in the right place.
import { CATALOG_MAX_LINE_BYTES, CATALOG_TORRENT_NAME } from '../constants.js'
import { CatalogError, CatalogFormatError } from '../errors.js'
import { V2FileHasher } from '../torrent/merkle.js'
import { parseInfoDict, type ParsedInfo } from '../torrent/parse.js'
import { entryKey, parseEntryLine, type CatalogEntry } from './entry.js'
import {
  expectedFiles,
  headerPath,
  libraryPath,
  parseHeader,
  shardOf,
  shardPath,
  type CatalogHeader,
} from './layout.js'

export interface CatalogFileRef {
  path: string
  size: number
  piecesRoot: string | null
}

export interface ReadCatalogOptions {
  /** Sharded: read only these shard prefixes (the others need not be present in `files`). */
  shards?: Iterable<string>
  /**
   * Keep the entries (default true). False only validates and counts them, so a resolver can ingest
   * a large catalog from its lines batch by batch instead of holding an object per torrent.
   */
  collect?: boolean
}

export interface ReadCatalog {
  info: ParsedInfo
  header: CatalogHeader
  /** Every payload file of the torrent with its pieces root (what a resolver compares across updates). */
  fileRefs: Map<string, CatalogFileRef>
  /** Entries read, in key order (empty with `collect: false`). */
  entries: CatalogEntry[]
  /** Sharded: entries per shard prefix read (empty with `collect: false`). */
  shards: Map<string, CatalogEntry[]>
  /** Entries read and validated. */
  entryCount: number
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

const bad = (why: string): never => {
  throw new CatalogFormatError(why)
}

/** Describes the torrent's payload files; throws unless the info dict is a well-formed catalog torrent. */
export function catalogFileRefs(info: Uint8Array | ParsedInfo): {
  info: ParsedInfo
  refs: Map<string, CatalogFileRef>
} {
  let parsed: ParsedInfo
  try {
    parsed = info instanceof Uint8Array ? parseInfoDict(info) : info
  } catch (err) {
    throw new CatalogFormatError(`catalog info dict: ${(err as Error).message}`, { cause: err })
  }
  if (Buffer.from(parsed.name).toString('latin1') !== CATALOG_TORRENT_NAME)
    bad('not a catalog torrent (name)')
  if (parsed.version === 'v1') bad('catalog torrents are v2 or hybrid')
  const refs = new Map<string, CatalogFileRef>()
  for (const f of parsed.files) {
    const path = f.path.map((p) => Buffer.from(p).toString('utf8')).join('/')
    refs.set(path, {
      path,
      size: f.size,
      piecesRoot: f.piecesRoot ? Buffer.from(f.piecesRoot).toString('hex') : null,
    })
  }
  return { info: parsed, refs }
}

/** Checks file bytes against the pieces root the infohash commits to. */
export function checkFile(ref: CatalogFileRef, data: Uint8Array, pieceLength: number): void {
  if (data.byteLength !== ref.size) bad(`${ref.path}: ${data.byteLength} bytes, torrent says ${ref.size}`)
  if (ref.size === 0) return
  const h = new V2FileHasher(pieceLength)
  h.update(data)
  const root = h.digest().piecesRoot
  if (!root || root.toString('hex') !== ref.piecesRoot) bad(`${ref.path} does not match its pieces root`)
}

/**
 * Splits canonical NDJSON into entries, checking order, uniqueness and (sharded) the prefix. Lines
 * are decoded one at a time: a whole library can be larger than the longest string V8 allows.
 */
export function parseLines(
  path: string,
  data: Uint8Array,
  shard?: { prefix: string; bits: number },
): CatalogEntry[] {
  const out: CatalogEntry[] = []
  checkLines(path, data, shard, (e) => out.push(e))
  return out
}

/** parseLines without keeping the entries: each is handed to `each`; returns how many there were. */
export function checkLines(
  path: string,
  data: Uint8Array,
  shard: { prefix: string; bits: number } | undefined,
  each?: (e: CatalogEntry) => void,
): number {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  if (buf.length > 0 && buf[buf.length - 1] !== 0x0a) bad(`${path} does not end with a newline`)
  let n = 0
  let last = ''
  let start = 0
  while (start < buf.length) {
    const end = buf.indexOf(0x0a, start)
    if (end - start > CATALOG_MAX_LINE_BYTES) bad(`${path}: line too long`)
    let text: string
    try {
      text = utf8.decode(buf.subarray(start, end))
    } catch {
      return bad(`${path}, line ${n + 1} is not UTF-8`)
    }
    let e: CatalogEntry
    try {
      e = parseEntryLine(text)
    } catch (err) {
      throw new CatalogFormatError(`${path}, line ${n + 1}: ${(err as Error).message}`)
    }
    const key = entryKey(e)
    if (key <= last) bad(`${path}: entries out of order or duplicated at ${key}`)
    if (shard && shardOf(key, shard.bits) !== shard.prefix) bad(`${path}: entry ${key} is in the wrong shard`)
    last = key
    n++
    each?.(e)
    start = end + 1
  }
  return n
}

/**
 * Validates a catalog. `files` maps '/'-joined payload paths to their bytes (at least catalog.json;
 * for a whole catalog also library.ndjson; for a sharded one the shards asked for, or all).
 */
export function readCatalog(
  info: Uint8Array | ParsedInfo,
  files: ReadonlyMap<string, Uint8Array>,
  opts: ReadCatalogOptions = {},
): ReadCatalog {
  const { info: parsed, refs } = catalogFileRefs(info)
  const file = (path: string): Uint8Array => {
    const ref = refs.get(path) ?? bad(`${path} is not in the catalog torrent`)
    const data = files.get(path) ?? bad(`${path} was not supplied`)
    checkFile(ref, data, parsed.pieceLength)
    return data
  }
  const header = parseHeader(file(headerPath().join('/')))
  const want = new Set(expectedFiles(header))
  if (want.size !== refs.size || [...refs.keys()].some((p) => !want.has(p)))
    bad('torrent files do not match catalog.json')
  const collect = opts.collect ?? true
  const shards = new Map<string, CatalogEntry[]>()
  const entries: CatalogEntry[] = []
  let entryCount = 0
  if (header.layout === 'whole') {
    const path = libraryPath().join('/')
    entryCount = checkLines(path, file(path), undefined, collect ? (e) => entries.push(e) : undefined)
    if (entryCount !== header.entries) bad('library.ndjson entry count differs from catalog.json')
  } else {
    const listed = new Map(header.shards.map((s) => [s.prefix, s.entries]))
    const wanted = opts.shards ? [...new Set(opts.shards)].sort() : [...listed.keys()]
    for (const prefix of wanted) {
      const count = listed.get(prefix)
      if (count === undefined) throw new CatalogError('BAD_INPUT', `shard ${prefix} is not in the catalog`)
      const path = shardPath(prefix).join('/')
      const got: CatalogEntry[] = []
      const n = checkLines(
        path,
        file(path),
        { prefix, bits: header.prefixBits },
        collect ? (e) => got.push(e) : undefined,
      )
      if (n !== count) bad(`${path}: ${n} entries, catalog.json says ${count}`)
      entryCount += n
      if (!collect) continue
      shards.set(prefix, got)
      for (const e of got) entries.push(e)
    }
  }
  return { info: parsed, header, fileRefs: refs, entries, shards, entryCount }
}
