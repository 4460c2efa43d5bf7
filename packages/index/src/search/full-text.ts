import type { QueryPhrase } from './tokenize.js'

// The full-text primitives one backend provides (SQLite FTS5 in fts5.ts, Postgres tsvector in
// ../postgres/full-text.ts). The search algorithm over them, with its bounds, is rank.ts, shared,
// so both backends answer a query the same way.

/** What to match: every phrase over the name and paths (or the name only), and an extension. */
export interface MatchSpec {
  phrases: readonly QueryPhrase[]
  ext?: string | undefined
  nameOnly?: boolean
}

export interface FtsFilters {
  minSize?: number
  maxSize?: number
  seenSinceSeconds?: number
  aliveSinceSeconds?: number
}

export function hasFilters(f: FtsFilters): boolean {
  return (
    f.minSize !== undefined ||
    f.maxSize !== undefined ||
    f.seenSinceSeconds !== undefined ||
    f.aliveSinceSeconds !== undefined
  )
}

export interface FullText {
  /** Ids of matching torrents, most recently added (highest id) first, filters applied. */
  newest(m: MatchSpec, f: FtsFilters, limit: number, offset: number): Promise<number[]>
  /**
   * Relevance of every torrent matching `m` (higher is better). Called only with rare phrases, so the
   * rows are bounded by COMMON_AT per phrase.
   */
  scores(m: MatchSpec): Promise<Map<number, number>>
  /** How many torrents match, counting no further than `cap`. */
  count(m: MatchSpec, f: FtsFilters, cap: number): Promise<number>
}
