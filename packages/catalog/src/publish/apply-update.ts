// Applies a verified catalog to the resolver's index and copy: torrents the publisher dropped are
// removed, changed ones rewritten, the fetched entries ingested, then the copy brought up to date.
//
// Which rows a removal may delete: the index keeps one provenance per torrent, the source it was first
// learned from. A row whose source is this publisher's (`catalog:<key>:<any seq>`) exists only because
// of this publisher and is deleted. Any other row (crawled, imported, first learned from another
// publisher) is left as it is and counted as `retained`: the publisher no longer vouching for it does
// not make it unknown. If the row is this publisher's but another catalog this resolver follows still
// lists the torrent, it is re-ingested from that copy under that catalog's provenance (also counted
// as retained). A changed entry (same key, different line) is rewritten: deleted if it is this
// publisher's, then ingested again from the new line.
import type { PooledIndex, TorrentInput } from '@bbmesh/index'
import { entryToTorrentInput, parseEntryLine } from '../catalog/entry.js'
import { dirname, basename } from 'node:path'
import { headerPath } from '../catalog/layout.js'
import type { CatalogFileRef } from '../catalog/read.js'
import { diffLines, linesOf } from './catalog-diff.js'
import { OtherCopies } from './other-copies.js'
import type { ResolvedCopy } from './resolved-copy.js'

const INGEST_BATCH = 1000
const REMOVE_BATCH = 1000

export interface CatalogUpdate {
  index: PooledIndex
  copy: ResolvedCopy
  /** Provenance of ingested rows: `catalog:<key hex>:<seq>`. */
  source: string
  /** Rows whose source starts with this are the publisher's own: `catalog:<key hex>:`. */
  sourcePrefix: string
  info: Uint8Array
  pieceLength: number
  /** Payload path → pieces root of the catalog imported before (absent on a first resolve). */
  oldRoots: Readonly<Record<string, string | null>> | undefined
  /** Every payload file of the new catalog. */
  refs: ReadonlyMap<string, CatalogFileRef>
  /** The files fetched and verified this time (catalog.json included). */
  files: ReadonlyMap<string, Uint8Array>
  seenAt?: Date
  /** Called after each ingest batch with the entries ingested so far. */
  onImported?: (imported: number) => void
}

export interface UpdateCounts {
  imported: number
  /** Rows deleted because the catalog no longer lists them. */
  removed: number
  /** Torrents the catalog dropped that stay in the index because they were known from elsewhere. */
  retained: number
  /** Rows rewritten because their catalog line changed. */
  replaced: number
  /** Changed files of the old catalog whose stored copy was missing: their removals are unknown. */
  oldFilesMissing: number
}

export async function applyCatalogUpdate(u: CatalogUpdate): Promise<UpdateCounts> {
  const header = headerPath().join('/')
  const old = u.oldRoots ?? {}
  // Only files whose root changed can hold a dropped or changed entry.
  const oldPaths = Object.keys(old)
    .filter((p) => p !== header && u.refs.get(p)?.piecesRoot !== old[p])
    .sort()
  const newPaths = [...u.files.keys()]
    .filter((p) => p !== header && old[p] !== u.refs.get(p)?.piecesRoot)
    .sort()
  let oldFilesMissing = 0
  const copy = u.copy
  const pieceLength = u.pieceLength
  async function* oldLines(): AsyncGenerator<string> {
    for (const p of oldPaths) {
      const data = await copy.readVerified(p, old[p] ?? null, pieceLength)
      if (!data) {
        oldFilesMissing++
        continue
      }
      yield* linesOf(data)
    }
  }
  const files = u.files
  async function* newLines(): AsyncGenerator<string> {
    for (const p of newPaths) yield* linesOf(files.get(p) ?? new Uint8Array(0))
  }
  const diff = await diffLines(oldLines(), newLines())

  const rescued = await rescue(u, diff.removed)
  const drop = await removeOwn(
    u.index,
    diff.removed.filter((k) => !rescued.has(k)),
    u.sourcePrefix,
  )
  const rewrite = await removeOwn(u.index, diff.changed, u.sourcePrefix)

  // Ingested from the (already validated) lines one batch at a time: no object per torrent is held.
  const now = u.seenAt ?? new Date()
  let imported = 0
  let batch: TorrentInput[] = []
  const flush = async (): Promise<void> => {
    if (!batch.length) return
    await u.index.ingest(batch)
    imported += batch.length
    batch = []
    u.onImported?.(imported)
  }
  for (const p of [...u.files.keys()].filter((x) => x !== header).sort())
    for (const line of linesOf(u.files.get(p) as Uint8Array)) {
      batch.push(entryToTorrentInput(parseEntryLine(line), u.source, now))
      if (batch.length >= INGEST_BATCH) await flush()
    }
  await flush()

  // The copy last: if this fails, the state file still names the old catalog and the next resolve
  // diffs against the old copy again (deleting what is already gone is a no-op).
  for (const [p, data] of u.files) await copy.writeFile(p, data)
  await copy.writeInfo(u.info)
  await copy.prune(new Set(u.refs.keys()))
  return {
    imported,
    removed: drop.removed,
    retained: drop.kept + rescued.size,
    replaced: rewrite.removed,
    oldFilesMissing,
  }
}

/**
 * Dropped torrents that another followed catalog still lists: the publisher's own rows are moved over to
 * that catalog's provenance; rows from elsewhere are left alone. Returns the keys handled here.
 */
async function rescue(u: CatalogUpdate, dropped: readonly string[]): Promise<Set<string>> {
  const others = new OtherCopies(dirname(u.copy.dir), basename(u.copy.dir))
  const done = new Set<string>()
  for (const k of dropped) {
    const found = await others.find(k)
    if (!found) continue
    const row = await u.index.get(k)
    if (!row) continue
    done.add(k)
    if (!row.source.startsWith(u.sourcePrefix)) continue
    await u.index.removeTorrents([new Uint8Array(Buffer.from(k, 'hex'))], { sourcePrefix: u.sourcePrefix })
    await u.index.ingest([entryToTorrentInput(found.entry, found.source, u.seenAt ?? new Date())])
  }
  return done
}

async function removeOwn(
  index: PooledIndex,
  keys: readonly string[],
  sourcePrefix: string,
): Promise<{ removed: number; kept: number }> {
  let removed = 0
  let kept = 0
  for (let i = 0; i < keys.length; i += REMOVE_BATCH) {
    const r = await index.removeTorrents(
      keys.slice(i, i + REMOVE_BATCH).map((k) => new Uint8Array(Buffer.from(k, 'hex'))),
      { sourcePrefix },
    )
    removed += r.removed
    kept += r.kept
  }
  return { removed, kept }
}
