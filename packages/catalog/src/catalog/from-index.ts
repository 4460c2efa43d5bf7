// The public library of an index: every torrent it holds, as catalog entries.
import type { PooledIndex } from '@bbmesh/index'
import { entryFromDetail, type CatalogEntry } from './entry.js'

export interface LibraryOptions {
  /** BEP 27 private torrents stay out of a public catalog unless asked (default false). */
  includePrivate?: boolean
  /** Leave out what came from other publishers' catalogs (source 'catalog:…'); default false. */
  ownOnly?: boolean
}

/** The library as a stream, one index batch in memory at a time (what buildCatalog can consume). */
export async function* libraryEntries(
  index: PooledIndex,
  opts: LibraryOptions = {},
): AsyncGenerator<CatalogEntry> {
  for await (const d of index.exportAll()) {
    if (d.private && !opts.includePrivate) continue
    if (opts.ownOnly && d.source.startsWith('catalog:')) continue
    yield entryFromDetail(d)
  }
}

/** The whole library collected into an array; for large ones stream libraryEntries instead. */
export async function libraryFromIndex(
  index: PooledIndex,
  opts: LibraryOptions = {},
): Promise<CatalogEntry[]> {
  const out: CatalogEntry[] = []
  for await (const e of libraryEntries(index, opts)) out.push(e)
  return out
}
