import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { fromHex, lossyText, toHex } from '../codec/bytes.js'
import { decodeFileListColumns } from '../codec/file-list.js'
import type { FileListColumns } from '../codec/file-list.js'
import { DEFAULT_FILE_HOLDERS, MAX_FILE_HOLDERS, PIECES_ROOT_BYTES } from '../constants.js'
import type { Database } from '../database.js'
import { IndexError } from '../errors.js'
import type { FileHolder, FileLookupOptions, SharedFile } from '../types.js'
import { fileListsOf } from './files.js'

// Reads of the v2 file index (file_roots, migration 003): which torrents hold a file, by pieces root.
// Every answer is bounded: at most `maxTorrents` holders per file are listed (a file in thousands of
// torrents costs one index range count, not thousands of file-list reads); the count is exact.

/** Roots per `in (…)` list: under SQLite's 32,766 and Postgres's 65,535 parameters. */
const ROOTS_PER_QUERY = 1000

const buf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)

export function parsePiecesRoot(root: string | Uint8Array): Uint8Array {
  const b = typeof root === 'string' ? fromHex(root, 'pieces root') : root
  if (!(b instanceof Uint8Array) || b.length !== PIECES_ROOT_BYTES)
    throw new IndexError('BAD_INPUT', `a pieces root is ${PIECES_ROOT_BYTES} bytes (64 hex characters)`)
  return b
}

export function holderCap(o: FileLookupOptions | undefined): number {
  const n = o?.maxTorrents ?? DEFAULT_FILE_HOLDERS
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_FILE_HOLDERS)
    throw new IndexError('BAD_INPUT', `maxTorrents must be 1..${MAX_FILE_HOLDERS}`)
  return n
}

/** A file's holders before their paths are read from the file lists. */
export interface Holders {
  size: number
  count: number
  rows: {
    torrentId: number
    fileIndex: number
    infohashV1: string | null
    infohashV2: string | null
    name: string
  }[]
}

interface HolderRow {
  pieces_root: Uint8Array
  torrent_id: number
  file_index: number
  size: number
  n: number
  infohash_v1: Uint8Array | null
  infohash_v2: Uint8Array | null
  name: string
}

/**
 * The holders of each root (hex key), oldest torrent first, at most `cap` each, with the full count;
 * rows of `exclude` (a torrent id) are left out. Roots nobody (else) holds are absent.
 */
export async function holdersOf(
  db: Kysely<Database>,
  roots: readonly Uint8Array[],
  cap: number,
  exclude?: number,
): Promise<Map<string, Holders>> {
  const out = new Map<string, Holders>()
  for (let i = 0; i < roots.length; i += ROOTS_PER_QUERY) {
    const list = sql.join(roots.slice(i, i + ROOTS_PER_QUERY).map((r) => sql`${buf(r)}`))
    const skip = exclude === undefined ? sql`` : sql`and torrent_id <> ${exclude}`
    const r = await sql<HolderRow>`
      select h.pieces_root, h.torrent_id, h.file_index, h.size, h.n, t.infohash_v1, t.infohash_v2, t.name
      from (
        select pieces_root, torrent_id, file_index, size,
          row_number() over (partition by pieces_root order by torrent_id, file_index) as rn,
          count(*) over (partition by pieces_root) as n
        from file_roots where pieces_root in (${list}) ${skip}
      ) h join torrents t on t.id = h.torrent_id
      where h.rn <= ${cap}
      order by h.pieces_root, h.rn`.execute(db)
    for (const row of r.rows) {
      const key = toHex(row.pieces_root)
      let h = out.get(key)
      if (h === undefined) {
        h = { size: Number(row.size), count: Number(row.n), rows: [] }
        out.set(key, h)
      }
      h.rows.push({
        torrentId: Number(row.torrent_id),
        fileIndex: Number(row.file_index),
        infohashV1: row.infohash_v1 === null ? null : toHex(row.infohash_v1),
        infohashV2: row.infohash_v2 === null ? null : toHex(row.infohash_v2),
        name: row.name,
      })
    }
  }
  return out
}

/** Reads each torrent's packed file list once and answers paths by (torrent id, file index). */
export async function pathReader(
  db: Kysely<Database>,
  torrentIds: Iterable<number>,
): Promise<(torrentId: number, index: number) => string> {
  const lists = await fileListsOf(db, [...new Set(torrentIds)])
  const cols = new Map<number, FileListColumns>()
  return (id, i) => {
    let c = cols.get(id)
    if (c === undefined) {
      const blob = lists.get(id)
      if (blob === undefined) return ''
      c = decodeFileListColumns(blob)
      cols.set(id, c)
    }
    if (i >= c.count) return ''
    return lossyText(c.paths.subarray(c.starts[i]!, c.starts[i + 1]!))
  }
}

/** Holders with their paths, in the public shape. */
export async function withPaths(
  db: Kysely<Database>,
  found: Iterable<Holders>,
): Promise<(h: Holders) => FileHolder[]> {
  const all = [...found]
  const pathOf = await pathReader(
    db,
    all.flatMap((h) => h.rows.map((r) => r.torrentId)),
  )
  return (h) => h.rows.map(({ torrentId, ...r }) => ({ ...r, path: pathOf(torrentId, r.fileIndex) }))
}

/** The torrents holding the file with this pieces root, or undefined when none does. */
export async function torrentsWithFile(
  db: Kysely<Database>,
  root: Uint8Array,
  cap: number,
): Promise<SharedFile | undefined> {
  const found = (await holdersOf(db, [root], cap)).get(toHex(root))
  if (found === undefined) return undefined
  const list = await withPaths(db, [found])
  return { piecesRoot: toHex(root), size: found.size, torrentCount: found.count, torrents: list(found) }
}
