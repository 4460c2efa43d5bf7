import type { LivenessInput } from '@bbmesh/index'
import type { Clock } from '../clock.js'
import { BatchedPersister } from '../pipeline/batched-persister.js'
import type { HarvestIndex } from './types.js'

/**
 * Batches swarm-liveness records (tracker issue 13) for `index.recordLiveness`. The index ignores
 * infohashes it does not hold, and a freshly fetched torrent may still sit in the torrent batcher,
 * so each write first flushes `torrents`: its rows are in before their liveness is recorded.
 * Undefined when the index cannot record liveness.
 */
export function livenessWriter(parts: {
  index: HarvestIndex
  torrents: { flush(): Promise<void> }
  clock: Clock
  maxItems: number
  maxDelayMs: number
  onError: (err: unknown) => void
}): BatchedPersister<LivenessInput> | undefined {
  const { index, torrents } = parts
  if (index.recordLiveness === undefined) return undefined
  return new BatchedPersister<LivenessInput>({
    write: async (batch) => {
      await torrents.flush()
      await index.recordLiveness!(batch)
    },
    clock: parts.clock,
    maxItems: parts.maxItems,
    maxDelayMs: parts.maxDelayMs,
    onError: parts.onError,
  })
}
