// bb_sync over a PooledIndex: serve from its metadata cache (read without touching the LRU order, so
// a member catching up does not decide what we keep), check and store through its normal ingest.
import type { PooledIndex } from '@bbmesh/index'
import type { SyncSink, SyncSource } from './types.js'

export function indexSyncSource(index: PooledIndex): SyncSource {
  return {
    page: (after, limit) => index.metadataAfter(after.length > 0 ? after : undefined, limit),
    get: (key) => index.metadataCache.get(key, { touch: false }),
  }
}

export function indexSyncSink(index: PooledIndex): SyncSink {
  return {
    holds: (keys) => index.holdsKeys(keys),
    store: async (torrents) => void (await index.ingest(torrents)),
  }
}
