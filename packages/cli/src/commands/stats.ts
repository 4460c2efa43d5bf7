import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import { formatSize } from '../units.js'

const day = (d: Date | null): string => (d === null ? '-' : d.toISOString().slice(0, 16).replace('T', ' '))

export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('counts and sizes of the index')
    .action(
      commandAction(async (ctx) => {
        const index = await ctx.openIndex()
        try {
          const s = await index.stats()
          if (ctx.out.json) {
            ctx.out.record({ db: ctx.dbPath, ...s })
            return
          }
          ctx.out.text(`index            ${ctx.dbPath}`)
          ctx.out.text(`torrents         ${s.torrents}`)
          ctx.out.text(`files            ${s.files}`)
          ctx.out.text(`total size       ${formatSize(s.totalSize)}`)
          ctx.out.text(`first seen       ${day(s.oldestFirstSeen)} … ${day(s.newestLastSeen)} (last seen)`)
          ctx.out.text(`new in 24 h      ${s.newLastDay}`)
          // The sightings table only holds infohashes still waiting for their metadata: say so.
          ctx.out.text(`pending metadata ${s.pendingMetadata}`)
          ctx.out.text(`cached infos     ${s.cachedMetadata} (${formatSize(s.cacheBytes)})`)
          ctx.out.text(`on disk          ${formatSize(s.dbBytes)}`)
          // The v2 file index: the same file (by BEP 52 pieces root) in several v2/hybrid torrents.
          ctx.out.text(
            `v2 files         ${s.filesWithRoot} with a pieces root, ${s.distinctRoots} distinct, ` +
              `${s.sharedRoots} in 2+ torrents`,
          )
          ctx.out.text(`dedup            ${formatSize(s.dedupBytes)} held more than once`)
        } finally {
          await index.close()
        }
      }),
    )
}
