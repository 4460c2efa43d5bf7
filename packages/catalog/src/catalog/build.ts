// Builds the catalog torrent from entries: canonical lines sorted by key, one library file or shards
// by key prefix, plus the header; then the hybrid torrent over those in-memory files.
import {
  CATALOG_DEFAULT_MAX_PREFIX_BITS,
  CATALOG_MAX_PREFIX_BITS,
  CATALOG_PIECE_LENGTH,
  CATALOG_SHARD_TARGET_ENTRIES,
  CATALOG_TORRENT_NAME,
} from '../constants.js'
import { CatalogError } from '../errors.js'
import { buildTorrent, type BuiltTorrent } from '../torrent/build.js'
import type { MemoryFile } from '../torrent/sources.js'
import { encodeEntryLine, entryKey, parseEntryLine, type CatalogEntry } from './entry.js'
import {
  encodeHeader,
  headerPath,
  libraryPath,
  shardOf,
  shardPath,
  type CatalogHeader,
  type ShardInfo,
} from './layout.js'

export interface BuildCatalogOptions {
  /** Pages by key prefix plus the index in catalog.json (default false: one library file). */
  sharded?: boolean
  /** Bits of the shard prefix; default: the fewest giving ≤ shardTargetEntries per shard (≤ 16). */
  prefixBits?: number
  shardTargetEntries?: number
  /** Default 16 KiB, so every shard is whole pieces of its own and changes stay local. */
  pieceLength?: number
}

export interface BuiltCatalog {
  torrent: BuiltTorrent
  header: CatalogHeader
  /** Payload files by '/'-joined path inside the torrent (catalog.json, library.ndjson, shards/…). */
  files: Map<string, Uint8Array>
  entries: number
}

/** Prefix bits for a library of n entries: grow until shards average ≤ target entries. */
export function shardPrefixBits(n: number, target = CATALOG_SHARD_TARGET_ENTRIES): number {
  let bits = 1
  while (bits < CATALOG_DEFAULT_MAX_PREFIX_BITS && n / 2 ** bits > target) bits++
  return bits
}

/**
 * Deterministic: the same set of entries (in any order) gives byte-identical files and the same
 * infohashes. Entries are checked on the way in (the same rules a reader applies).
 */
export async function buildCatalog(
  entries: Iterable<CatalogEntry>,
  opts: BuildCatalogOptions = {},
): Promise<BuiltCatalog> {
  const lines: [string, string][] = []
  for (const e of entries) {
    const line = encodeEntryLine(e)
    try {
      parseEntryLine(line.slice(0, -1))
    } catch (err) {
      throw new CatalogError('BAD_INPUT', `entry ${entryKey(e)}: ${(err as Error).message}`)
    }
    lines.push([entryKey(e), line])
  }
  lines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  for (let i = 1; i < lines.length; i++)
    if (lines[i]?.[0] === lines[i - 1]?.[0])
      throw new CatalogError('BAD_INPUT', `duplicate entry ${lines[i]?.[0] ?? ''}`)

  const files = new Map<string, Uint8Array>()
  const mem: MemoryFile[] = []
  const add = (path: string[], data: Uint8Array): void => {
    files.set(path.join('/'), data)
    mem.push({ path, data })
  }
  const join = (part: [string, string][]): Uint8Array =>
    new Uint8Array(Buffer.from(part.map((l) => l[1]).join(''), 'utf8'))

  let header: CatalogHeader
  if (!opts.sharded) {
    header = { layout: 'whole', entries: lines.length }
    add(libraryPath(), join(lines))
  } else {
    const bits = opts.prefixBits ?? shardPrefixBits(lines.length, opts.shardTargetEntries)
    if (!Number.isInteger(bits) || bits < 1 || bits > CATALOG_MAX_PREFIX_BITS)
      throw new CatalogError('BAD_INPUT', `prefixBits must be 1..${CATALOG_MAX_PREFIX_BITS}`)
    const shards: ShardInfo[] = []
    for (let i = 0; i < lines.length;) {
      // Sorted keys keep each bit prefix contiguous.
      const prefix = shardOf((lines[i] as [string, string])[0], bits)
      let j = i
      while (j < lines.length && shardOf((lines[j] as [string, string])[0], bits) === prefix) j++
      shards.push({ prefix, entries: j - i })
      add(shardPath(prefix), join(lines.slice(i, j)))
      i = j
    }
    header = { layout: 'sharded', entries: lines.length, prefixBits: bits, shards }
  }
  add(headerPath(), encodeHeader(header))
  const torrent = await buildTorrent(
    { name: CATALOG_TORRENT_NAME, files: mem },
    { version: 'hybrid', pieceLength: opts.pieceLength ?? CATALOG_PIECE_LENGTH },
  )
  return { torrent, header, files, entries: lines.length }
}
