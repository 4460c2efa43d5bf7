// Builds the catalog torrent from entries: canonical lines sorted by key, one library file or shards
// by key prefix, plus the header; then the hybrid torrent over those in-memory files.
import {
  CATALOG_MAX_PREFIX_LENGTH,
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
  shardPath,
  type CatalogHeader,
  type ShardInfo,
} from './layout.js'

export interface BuildCatalogOptions {
  /** Pages by key prefix plus the index in catalog.json (default false: one library file). */
  sharded?: boolean
  /** Hex digits of the shard prefix; default: the smallest giving ≤ shardTargetEntries per shard. */
  prefixLength?: number
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

/** Prefix length for a library of n entries: grows until shards average ≤ target entries. */
export function shardPrefixLength(n: number, target = CATALOG_SHARD_TARGET_ENTRIES): number {
  let d = 1
  while (d < CATALOG_MAX_PREFIX_LENGTH && n / 16 ** d > target) d++
  return d
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
    const d = opts.prefixLength ?? shardPrefixLength(lines.length, opts.shardTargetEntries)
    if (!Number.isInteger(d) || d < 1 || d > CATALOG_MAX_PREFIX_LENGTH)
      throw new CatalogError('BAD_INPUT', `prefixLength must be 1..${CATALOG_MAX_PREFIX_LENGTH}`)
    const shards: ShardInfo[] = []
    for (let i = 0; i < lines.length;) {
      const prefix = (lines[i] as [string, string])[0].slice(0, d)
      let j = i
      while (j < lines.length && (lines[j] as [string, string])[0].startsWith(prefix)) j++
      shards.push({ prefix, entries: j - i })
      add(shardPath(prefix), join(lines.slice(i, j)))
      i = j
    }
    header = { layout: 'sharded', entries: lines.length, prefixLength: d, shards }
  }
  add(headerPath(), encodeHeader(header))
  const torrent = await buildTorrent(
    { name: CATALOG_TORRENT_NAME, files: mem },
    { version: 'hybrid', pieceLength: opts.pieceLength ?? CATALOG_PIECE_LENGTH },
  )
  return { torrent, header, files, entries: lines.length }
}
