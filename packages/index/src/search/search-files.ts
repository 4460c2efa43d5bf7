import type { Kysely } from 'kysely'
import { lossyText, toHex } from '../codec/bytes.js'
import { decodeFileListColumns } from '../codec/file-list.js'
import { DEFAULT_FILE_SEARCH_LIMIT, FILE_SEARCH_TORRENTS, MAX_FILE_SEARCH_LIMIT } from '../constants.js'
import type { Database } from '../database.js'
import { IndexError } from '../errors.js'
import { holderCap, holdersOf, withPaths } from '../read/file-roots.js'
import { fileListsOf } from '../read/files.js'
import type { FileSearchHit, FileSearchPage, FileSearchQuery } from '../types.js'
import { isPaddingPath } from '../write/file-roots.js'
import type { FullText } from './full-text.js'
import { matchedFileIndexes } from './matched-files.js'
import { rankMatches } from './rank.js'
import { resolvePhrases } from './search.js'
import { parseQueryText } from './tokenize.js'

/**
 * Files (by pieces root) whose paths match the query, each with every torrent holding it. Built on
 * the torrent search: the best FILE_SEARCH_TORRENTS text matches (the same bounded ranking as
 * `search`), their matched files (the same matcher as a hit's matchedFiles), kept when they carry a
 * root, in rank order, deduplicated by root; then one holders query for the roots found. So a query
 * costs about a 200-hit search plus one index range per file, whatever the index size; a file only
 * reachable past the 200th matching torrent is not found (say more words).
 */
export async function searchFiles(
  db: Kysely<Database>,
  ft: FullText,
  q: FileSearchQuery,
): Promise<FileSearchPage> {
  if (typeof q !== 'object' || q === null || typeof q.text !== 'string')
    throw new IndexError('BAD_INPUT', 'searchFiles needs { text: string }')
  const limit = q.limit ?? DEFAULT_FILE_SEARCH_LIMIT
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_FILE_SEARCH_LIMIT)
    throw new IndexError('BAD_INPUT', `searchFiles limit must be 1..${MAX_FILE_SEARCH_LIMIT}`)
  const cap = holderCap(q)
  const typed = parseQueryText(q.text)
  if (typed.length === 0) throw new IndexError('BAD_INPUT', 'searchFiles needs at least one word')
  const { phrases, counts } = await resolvePhrases(ft, typed)
  const ranked = await rankMatches(ft, phrases, counts, undefined, {}, FILE_SEARCH_TORRENTS, 0)
  const ids = ranked.ids.map((x) => x.id)
  const lists = await fileListsOf(db, ids)
  const picked = new Map<string, { root: Uint8Array; path: string }>()
  scan: for (const id of ids) {
    const blob = lists.get(id)
    if (blob === undefined) continue
    const c = decodeFileListColumns(blob)
    for (const i of matchedFileIndexes(c, phrases, undefined)) {
      const root = c.rootAt(i)
      const path = c.paths.subarray(c.starts[i]!, c.starts[i + 1]!)
      if (root === null || isPaddingPath(path)) continue
      const key = toHex(root)
      if (!picked.has(key)) picked.set(key, { root, path: lossyText(path) })
      if (picked.size >= limit) break scan
    }
  }
  const holders = await holdersOf(
    db,
    [...picked.values()].map((p) => p.root),
    cap,
  )
  const list = await withPaths(db, holders.values())
  const files: FileSearchHit[] = [...picked].flatMap(([key, p]) => {
    const h = holders.get(key)
    if (h === undefined) return []
    return [{ piecesRoot: key, size: h.size, path: p.path, torrentCount: h.count, torrents: list(h) }]
  })
  return { files, torrentsScanned: ids.length }
}
