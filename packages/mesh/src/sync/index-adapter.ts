// bb_sync over a PooledIndex: serve from its metadata cache (read without touching the LRU order, so
// a member catching up does not decide what we keep), check and store through its normal ingest.
import type { PooledIndex } from '@bbmesh/index'
import { FileCursorStore } from './cursor-store.js'
import { CatchUpSync } from './sync.js'
import type { CatchUpSyncOptions, SyncSink, SyncSource } from './types.js'

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

/**
 * A member's catch-up sync over its index: serves its cache, stores through its ingest, keeps cursors
 * in `cursorPath` (see communityCursorPath). `memberId` must outlive restarts (the bus writer id), so
 * the members catching up from it resume under the same cursor after it restarts.
 */
export function indexCatchUpSync(
  index: PooledIndex,
  o: { memberId: Uint8Array; cursorPath: string } & Partial<
    Omit<CatchUpSyncOptions, 'source' | 'sink' | 'cursors'>
  >,
): CatchUpSync {
  const { cursorPath, ...rest } = o
  return new CatchUpSync({
    ...rest,
    source: indexSyncSource(index),
    sink: indexSyncSink(index),
    cursors: new FileCursorStore(cursorPath),
  })
}
