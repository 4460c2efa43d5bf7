import {
  parseNdjsonLine,
  toNdjsonLine,
  toNdjsonLineWithInfo,
  type PooledIndex,
  type TorrentDetail,
} from '@bbmesh/index'
import { CliError } from '../errors.js'

export interface CopyReport {
  torrents: number
  cachedInfos: number
  /** Torrents whose export line is identical in both indexes after the copy. */
  verified: number
}

/**
 * Copies every torrent (with its cached info dict) from one index into another, through the lossless
 * NDJSON codec, then checks the copy by exporting both and comparing line by line. The target must be
 * empty, so both exports list the same torrents in the same (insertion) order.
 */
export async function copyIndex(
  from: PooledIndex,
  to: PooledIndex,
  batchSize: number,
  progress: (copied: number) => void,
): Promise<CopyReport> {
  if ((await to.stats()).torrents > 0)
    throw new CliError(
      `db migrate: ${to.path} already holds torrents; migrate into an empty index`,
      'DB_NOT_EMPTY',
    )
  let batch: ReturnType<typeof parseNdjsonLine>[] = []
  let torrents = 0
  let cachedInfos = 0
  const flush = async () => {
    if (batch.length === 0) return
    await to.ingest(batch)
    torrents += batch.length
    batch = []
    progress(torrents)
  }
  for await (const d of from.exportAll({ batchSize })) {
    const key = d.infohashV1 ?? d.infohashV2!
    const info = await from.metadataCache.get(Buffer.from(key, 'hex'), { touch: false })
    if (info !== undefined) cachedInfos++
    batch.push(parseNdjsonLine(toNdjsonLineWithInfo(d, info)))
    if (batch.length >= batchSize) await flush()
  }
  await flush()
  const verified = await compareExports(from, to, batchSize)
  if (verified !== torrents)
    throw new CliError(`db migrate: copied ${torrents} torrents but ${verified} verified`, 'DB_VERIFY')
  return { torrents, cachedInfos, verified }
}

/** Walks both exports side by side; throws at the first line that differs. Returns the lines compared. */
async function compareExports(a: PooledIndex, b: PooledIndex, batchSize: number): Promise<number> {
  const ia = a.exportAll({ batchSize })[Symbol.asyncIterator]()
  const ib = b.exportAll({ batchSize })[Symbol.asyncIterator]()
  let n = 0
  for (;;) {
    const [x, y] = await Promise.all([ia.next(), ib.next()])
    if (x.done === true && y.done === true) return n
    const lx = x.done === true ? '(end)' : toNdjsonLine(x.value as TorrentDetail)
    const ly = y.done === true ? '(end)' : toNdjsonLine(y.value as TorrentDetail)
    if (lx !== ly) {
      throw new CliError(
        `db migrate: the copy differs at torrent ${n + 1}: ${lx.slice(0, 80)} vs ${ly.slice(0, 80)}`,
        'DB_VERIFY',
      )
    }
    n++
  }
}
