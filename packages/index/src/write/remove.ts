import type BetterSqlite3 from 'better-sqlite3'
import { INFOHASH_V1_BYTES } from '../constants.js'
import { IndexError } from '../errors.js'
import { prepareFtsWriter } from '../search/fts5.js'

export interface RemoveOptions {
  /**
   * Delete only rows whose provenance (`source`, the source a torrent was first learned from) starts
   * with this, e.g. 'catalog:<publisher hex>:'; other matching rows are left alone and counted as kept.
   */
  sourcePrefix?: string
}

export interface RemoveResult {
  removed: number
  /** Present but from another source than `sourcePrefix`. */
  kept: number
  /** Not in the index. */
  missing: number
}

const SQL = {
  byV1: 'select id, source from torrents where infohash_v1 = ?',
  byV2: 'select id, source from torrents where infohash_v2 = ?',
  deleteTorrent: 'delete from torrents where id = ?',
  deleteFiles: 'delete from file_lists where torrent_id = ?',
  deleteRoots: 'delete from file_roots where torrent_id = ?',
} as const

/**
 * Deletes torrents by exact infohash (20 bytes: v1; 32 bytes: v2) in one IMMEDIATE transaction: the
 * row, its file list and its search entry. Cached info dicts are left to the cache's own eviction.
 */
export function removeTorrents(
  raw: BetterSqlite3.Database,
  infohashes: readonly Uint8Array[],
  opts: RemoveOptions = {},
): RemoveResult {
  if (!Array.isArray(infohashes))
    throw new IndexError('BAD_INPUT', 'removeTorrents needs an array of infohashes')
  const prefix = opts.sourcePrefix
  if (prefix !== undefined && typeof prefix !== 'string')
    throw new IndexError('BAD_INPUT', 'sourcePrefix must be a string')
  const s = Object.fromEntries(Object.entries(SQL).map(([k, q]) => [k, raw.prepare(q)])) as Record<
    keyof typeof SQL,
    BetterSqlite3.Statement
  >
  const fts = prepareFtsWriter(raw)
  const out: RemoveResult = { removed: 0, kept: 0, missing: 0 }
  raw
    .transaction(() => {
      for (const ih of infohashes) {
        const row = (ih.length === INFOHASH_V1_BYTES ? s.byV1 : s.byV2).get(ih) as
          { id: number; source: string } | undefined
        if (row === undefined) out.missing++
        else if (prefix !== undefined && !row.source.startsWith(prefix)) out.kept++
        else {
          fts.remove(row.id)
          s.deleteFiles.run(row.id)
          s.deleteRoots.run(row.id)
          s.deleteTorrent.run(row.id)
          out.removed++
        }
      }
    })
    .immediate()
  return out
}
