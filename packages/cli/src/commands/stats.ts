import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import { formatSize } from '../units.js'

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
          ctx.out.text(`index          ${ctx.dbPath}`)
          ctx.out.text(`torrents       ${s.torrents}`)
          ctx.out.text(`files          ${s.files}`)
          ctx.out.text(`sightings      ${s.sightings}`)
          ctx.out.text(`cached infos   ${s.cachedMetadata} (${formatSize(s.cacheBytes)})`)
          ctx.out.text(`on disk        ${formatSize(s.dbBytes)}`)
        } finally {
          await index.close()
        }
      }),
    )
}
