// What `bbmesh resolve` prints: one record (or line) per resolve, and with --seed one per interval
// re-put of the publisher's signed pointer (BEP 44: a resolver keeps the pointer alive with the
// publisher's own signature; see @bbmesh/catalog's CatalogSeeder).
import type { RePutResult, RePutStats, ResolveResult } from '@bbmesh/catalog'
import type { CommandContext } from '../context.js'
import { formatSize } from '../units.js'

/** The JSON shape of one re-put. */
function rePutRecord(r: RePutResult): Record<string, unknown> {
  return {
    status: r.status,
    seq: r.seq,
    stored: r.stored,
    ...(r.newerSeq !== undefined && { newerSeq: r.newerSeq }),
    ...(r.error !== undefined && { error: r.error }),
  }
}

function rePutText(ctx: CommandContext, r: RePutResult): void {
  if (r.status === 'stored')
    ctx.out.info(`re-put the publisher's pointer (seq ${r.seq}) to ${r.stored} DHT nodes`)
  else if (r.status === 'newer')
    ctx.out.info(`the DHT holds seq ${r.newerSeq}, newer than our seq ${r.seq}: pointer not re-put`)
  else if (r.status === 'none')
    ctx.out.warn('no signed pointer kept (state from an older version): not re-put until the next resolve')
  else ctx.out.warn(`pointer re-put failed: ${r.error ?? 'unknown error'}`)
}

export function reportResolve(
  ctx: CommandContext,
  r: ResolveResult,
  seeding?: { port: number; rePut: RePutResult },
): void {
  if (ctx.out.json)
    return void ctx.out.record({
      publicKey: r.publicKey,
      seq: r.seq,
      infohash: r.infohash,
      imported: r.imported,
      bytesFetched: r.bytesFetched,
      removed: r.removed,
      retained: r.retained,
      replaced: r.replaced,
      ...(seeding && { seedPort: seeding.port, rePut: rePutRecord(seeding.rePut) }),
    })
  const kept = r.retained
    ? ` (${r.retained} more dropped by the publisher but known from elsewhere, kept)`
    : ''
  ctx.out.text(
    r.unchanged
      ? `seq ${r.seq} (${r.infohash}) already imported; nothing fetched`
      : `seq ${r.seq}  ${r.infohash}  imported ${r.imported} torrents  removed ${r.removed}${kept}  fetched ${formatSize(r.bytesFetched)} (${r.filesFetched} of ${r.filesTotal} catalog files)`,
  )
  if (!seeding) return
  ctx.out.info(`seeding on port ${seeding.port}`)
  rePutText(ctx, seeding.rePut)
}

/** One interval re-put (with the totals so far), as its own record or line. */
export function reportRePut(ctx: CommandContext, r: RePutResult, totals: RePutStats): void {
  if (ctx.out.json) return void ctx.out.record({ rePut: rePutRecord(r), rePutTotals: totals })
  rePutText(ctx, r)
}
