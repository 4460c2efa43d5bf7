import type pg from 'pg'
import { INFOHASH_V1_BYTES } from '../constants.js'
import { IndexError } from '../errors.js'
import type { RemoveOptions, RemoveResult } from '../write/remove.js'
import { bytea, run } from './statements.js'
import { inKeyedTransaction } from './tx.js'

/** The Postgres twin of write/remove.ts: one transaction, under the infohashes' advisory locks. */
export async function pgRemoveTorrents(
  pool: pg.Pool,
  lockTimeoutMs: number,
  infohashes: readonly Uint8Array[],
  opts: RemoveOptions = {},
): Promise<RemoveResult> {
  const prefix = opts.sourcePrefix
  if (prefix !== undefined && typeof prefix !== 'string')
    throw new IndexError('BAD_INPUT', 'sourcePrefix must be a string')
  return inKeyedTransaction(pool, infohashes, lockTimeoutMs, async (c) => {
    const out: RemoveResult = { removed: 0, kept: 0, missing: 0 }
    for (const ih of infohashes) {
      const by = ih.length === INFOHASH_V1_BYTES ? 'byV1Source' : 'byV2Source'
      const [row] = await run<{ id: number; source: string }>(c, by, [bytea(ih)])
      if (row === undefined) out.missing++
      else if (prefix !== undefined && !row.source.startsWith(prefix)) out.kept++
      else {
        await run(c, 'ftsDelete', [row.id])
        await run(c, 'deleteFiles', [row.id])
        await run(c, 'deleteRoots', [row.id])
        await run(c, 'deleteTorrent', [row.id])
        out.removed++
      }
    }
    return out
  })
}
