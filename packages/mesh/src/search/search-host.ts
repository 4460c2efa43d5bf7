// What a bb_search link needs of the search it belongs to (FederatedSearch provides it).
import type { SearchPage, SearchQuery } from '@bbmesh/index'
import type { Clock } from '../clock.js'

export type FileLookup = (
  infohash: string,
) => Promise<ReadonlyArray<{ path: string; size: number }> | undefined>

export interface SearchLimits {
  /** Queries a member may send at once, then `perSecond`. */
  burst: number
  perSecond: number
  /** Queries served at once, over all members. */
  maxConcurrent: number
}

export interface SearchCounters {
  /** Queries we sent (one per member asked) and members' queries we got. */
  queriesOut: number
  queriesIn: number
  answered: number
  duplicates: number
  rateLimited: number
  /** Answered busy because too many queries were being served. */
  busyOut: number
  busyIn: number
  hitsIn: number
  hitsOut: number
  /** Hits from members that could not answer the query (dropped). */
  implausible: number
  /** Hits whose metadata, when the torrent was fetched, differed from what the member claimed. */
  mismatched: number
  /** Members that had not finished by the deadline, summed over queries. */
  timeouts: number
  serveErrors: number
  banned: number
}

export interface SearchHost {
  readonly clock: Clock
  readonly limits: SearchLimits
  readonly counters: SearchCounters
  /**
   * The open links: each adds itself when it opens and removes itself when it closes (FederatedSearch
   * holds a Set<SearchLink>). Typed by what a link does with it, so that this file and search-link.ts
   * do not import each other (scripts/check-deps.mjs refuses import cycles).
   */
  readonly links: { add(link: object): unknown; delete(link: object): boolean }
  readonly local: ((q: SearchQuery) => Promise<SearchPage>) | undefined
  /** A torrent's whole file list, for quality checks of small torrents (hex infohash). */
  readonly files: FileLookup | undefined
  serving: number
  isBanned(who: string): boolean
}
