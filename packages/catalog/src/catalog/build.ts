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
import { LineArena } from './line-arena.js'
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
 * Builds the catalog torrent and its payload files from the entries (an array, any iterable, or an
 * async iterable such as libraryEntries(index)); resolves to a BuiltCatalog, so await it.
 *
 * Deterministic: the same set of entries (in any order) gives byte-identical files and the same
 * infohashes. Entries are checked on the way in (the same rules a reader applies).
 *
 * Memory: when entries are streamed, each is encoded once into a line arena and dropped, so the peak
 * is about twice the payload (the arena in input order, then the files in key order) plus a key per
 * entry — not the entry objects, which cost about three times their line. The arena is released
 * before hashing.
 */
export async function buildCatalog(
  entries: Iterable<CatalogEntry> | AsyncIterable<CatalogEntry>,
  opts: BuildCatalogOptions = {},
): Promise<BuiltCatalog> {
  const { header, files, mem } = layOut(await encodeAll(entries), opts)
  const torrent = await buildTorrent(
    { name: CATALOG_TORRENT_NAME, files: mem },
    { version: 'hybrid', pieceLength: opts.pieceLength ?? CATALOG_PIECE_LENGTH },
  )
  return { torrent, header, files, entries: header.entries }
}

async function encodeAll(entries: Iterable<CatalogEntry> | AsyncIterable<CatalogEntry>): Promise<LineArena> {
  const arena = new LineArena()
  for await (const e of entries) {
    const line = encodeEntryLine(e)
    try {
      parseEntryLine(line.slice(0, -1))
    } catch (err) {
      throw new CatalogError('BAD_INPUT', `entry ${entryKey(e)}: ${(err as Error).message}`)
    }
    arena.add(entryKey(e), line)
  }
  return arena
}

/** The payload files in key order (library or shards) plus catalog.json. */
function layOut(
  arena: LineArena,
  opts: BuildCatalogOptions,
): { header: CatalogHeader; files: Map<string, Uint8Array>; mem: MemoryFile[] } {
  const order = arena.sortedOrder()
  const key = (i: number): string => arena.keys[order[i] as number] as string
  for (let i = 1; i < order.length; i++)
    if (key(i) === key(i - 1)) throw new CatalogError('BAD_INPUT', `duplicate entry ${key(i)}`)

  const files = new Map<string, Uint8Array>()
  const mem: MemoryFile[] = []
  const add = (path: string[], data: Uint8Array): void => {
    files.set(path.join('/'), data)
    mem.push({ path, data })
  }
  let header: CatalogHeader
  if (!opts.sharded) {
    header = { layout: 'whole', entries: order.length }
    add(libraryPath(), arena.join(order, 0, order.length))
  } else {
    const bits = opts.prefixBits ?? shardPrefixBits(order.length, opts.shardTargetEntries)
    if (!Number.isInteger(bits) || bits < 1 || bits > CATALOG_MAX_PREFIX_BITS)
      throw new CatalogError('BAD_INPUT', `prefixBits must be 1..${CATALOG_MAX_PREFIX_BITS}`)
    const shards: ShardInfo[] = []
    for (let i = 0; i < order.length;) {
      // Sorted keys keep each bit prefix contiguous.
      const prefix = shardOf(key(i), bits)
      let j = i
      while (j < order.length && shardOf(key(j), bits) === prefix) j++
      shards.push({ prefix, entries: j - i })
      add(shardPath(prefix), arena.join(order, i, j))
      i = j
    }
    header = { layout: 'sharded', entries: order.length, prefixBits: bits, shards }
  }
  add(headerPath(), encodeHeader(header))
  return { header, files, mem }
}
