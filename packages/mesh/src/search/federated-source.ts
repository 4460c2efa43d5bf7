// The index as the server reads it (search, get, stats), with search answered by the community: a
// first-page text query (offset + limit ≤ 100) goes to the members and our own index at once, so
// Torznab clients and the web page see the community's merged results with no change to a route.
// Deeper pages, empty text and a node with no linked member read the local index alone.
import type { IndexStats, SearchHit, SearchPage, SearchQuery, TorrentDetail } from '@bbmesh/index'
import { MAX_SEARCH_LIMIT } from './codec.js'
import type { FederatedSearch } from './federated-search.js'
import type { CommunityHit } from './merge.js'

export interface IndexReader {
  search(q: SearchQuery): Promise<SearchPage>
  get(infohash: string | Uint8Array): Promise<TorrentDetail | undefined>
  stats(): Promise<IndexStats>
}

export interface FederatedSourceOptions {
  /** How long a query waits for members. Default 1,500 ms. */
  deadlineMs?: number
}

export function federatedSource(
  index: IndexReader,
  search: FederatedSearch,
  opts: FederatedSourceOptions = {},
): IndexReader {
  return {
    get: (ih) => index.get(ih),
    stats: () => index.stats(),
    async search(q) {
      const limit = q.limit ?? 20
      const offset = q.offset ?? 0
      if (q.text.trim() === '' || offset + limit > MAX_SEARCH_LIMIT || search.members === 0)
        return index.search(q)
      const r = await search.search({
        text: q.text,
        limit: offset + limit,
        deadlineMs: opts.deadlineMs ?? 1_500,
        ...(q.minSize !== undefined && { minSize: q.minSize }),
        ...(q.maxSize !== undefined && { maxSize: q.maxSize }),
        ...(q.extension !== undefined && { extension: q.extension }),
        ...(q.seenSince !== undefined && { seenSince: q.seenSince }),
        ...(q.aliveSince !== undefined && { aliveSince: q.aliveSince }),
      })
      return {
        total: r.total,
        // Each member sent at most offset + limit: with that many merged, more may exist.
        totalExact: r.total < offset + limit,
        hits: r.hits.slice(offset, offset + limit).map(toSearchHit),
      }
    },
  }
}

function toSearchHit(h: CommunityHit): SearchHit {
  return {
    infohashV1: h.infohashV1,
    infohashV2: h.infohashV2,
    name: h.name,
    totalSize: h.totalSize,
    fileCount: h.fileCount,
    firstSeen: h.firstSeen,
    lastSeen: h.lastSeen,
    lastAlive: h.lastAlive,
    peersSeen: h.peersSeen,
    score: h.rank,
    matchedFiles: h.matchedFiles,
  }
}
