// A search hit as `search --json` prints it, local or from the community (which adds its own fields).
import type { SearchHit } from '@bbmesh/index'
import { aliveJson } from './search-alive.js'

type HitFields = Pick<
  SearchHit,
  | 'infohashV1'
  | 'infohashV2'
  | 'name'
  | 'totalSize'
  | 'fileCount'
  | 'firstSeen'
  | 'lastSeen'
  | 'lastAlive'
  | 'peersSeen'
  | 'score'
  | 'matchedFiles'
>

export function hitToJson(h: HitFields): Record<string, unknown> {
  return {
    infohashV1: h.infohashV1,
    infohashV2: h.infohashV2,
    name: h.name,
    size: h.totalSize,
    files: h.fileCount,
    firstSeen: h.firstSeen.toISOString(),
    lastSeen: h.lastSeen.toISOString(),
    ...aliveJson(h),
    score: h.score,
    matchedFiles: h.matchedFiles,
  }
}
