// Quality flags for local search hits: the same checks members run before answering bb_search
// (@bbmesh/mesh assessQuality), on the whole file list of small torrents and on the matched files of
// big ones (the fakes these checks catch are small).
import type { PooledIndex, SearchHit } from '@bbmesh/index'
import { assessQuality, type QualityFlag } from '@bbmesh/mesh'

const FULL_LIST_FILES = 20

export async function flagHits(
  index: Pick<PooledIndex, 'get'>,
  hits: readonly SearchHit[],
): Promise<{ hit: SearchHit; flags: QualityFlag[] }[]> {
  return Promise.all(
    hits.map(async (hit) => {
      const key = hit.infohashV1 ?? hit.infohashV2!
      const all = hit.fileCount <= FULL_LIST_FILES ? (await index.get(key))?.files : undefined
      const flags = assessQuality({
        name: hit.name,
        totalSize: hit.totalSize,
        files: all ?? hit.matchedFiles,
        complete: all !== undefined || hit.matchedFiles.length >= hit.fileCount,
      })
      return { hit, flags }
    }),
  )
}
