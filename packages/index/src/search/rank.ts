import { COMMON_AT, RANK_WINDOW } from '../constants.js'
import type { FtsFilters, FullText } from './full-text.js'
import type { QueryPhrase } from './tokenize.js'

export interface FtsRanked {
  total: number
  totalExact: boolean
  /** Torrent ids of the page, best first, with their scores (higher is better). */
  ids: { id: number; score: number }[]
}

/**
 * One page of matches, best first, at a cost bounded independently of the index size:
 * 1. candidates: the RANK_WINDOW most recently added matches, filters applied;
 * 2. scores: relevance (SQLite bm25, Postgres ts_rank) over the *rare* phrases only (fewer than
 *    COMMON_AT matches): FTS5's bm25() first counts every row holding each phrase (its IDF), which for
 *    "1080p" is most of the index, and a common phrase's IDF is near zero anyway. A query made only of
 *    common words ranks name hits above path-only hits, newest first.
 * Matches older than the window follow it, newest first (score 0). The total is counted up to the window
 * (or the page end when paging deeper) and is a lower bound beyond it.
 */
export async function rankMatches(
  ft: FullText,
  phrases: readonly QueryPhrase[],
  counts: readonly number[],
  ext: string | undefined,
  filters: FtsFilters,
  limit: number,
  offset: number,
): Promise<FtsRanked> {
  const full = { phrases, ext }
  const window = RANK_WINDOW
  const cands = await ft.newest(full, filters, window, 0)
  const score = new Map<number, number>(cands.map((id) => [id, 0]))
  const rare = phrases.filter((_, i) => counts[i]! < COMMON_AT)
  if (rare.length > 0) {
    for (const [id, s] of await ft.scores({ phrases: rare })) if (score.has(id)) score.set(id, s)
  } else if (phrases.length > 0) {
    const named = await ft.newest({ phrases, ext, nameOnly: true }, {}, window, 0)
    for (const id of named) if (score.has(id)) score.set(id, 1)
  }
  const ordered = [...score].sort((a, b) => b[1] - a[1] || b[0] - a[0])
  const ids = ordered.slice(offset, offset + limit).map(([id, s]) => ({ id, score: s }))
  if (cands.length < window) return { total: cands.length, totalExact: true, ids }
  // Pages past the ranked window continue with older matches, newest first, so paging is stable.
  if (ids.length < limit) {
    const more = await ft.newest(full, filters, limit - ids.length, Math.max(offset, window))
    for (const id of more) ids.push({ id, score: 0 })
  }
  const cap = Math.max(window, offset + limit)
  const n = await ft.count(full, filters, cap + 1)
  return { total: Math.min(n, cap), totalExact: n <= cap, ids }
}
