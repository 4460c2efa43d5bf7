import { resolve } from 'node:path'
import type { Command } from 'commander'
import { openIndex } from '@bbmesh/index'
import { commandAction } from '../command-action.js'
import { isDatabaseUrl } from '../context.js'
import { UsageError } from '../errors.js'
import { parseCount } from '../units.js'
import { copyIndex } from './db-copy.js'

interface MigrateOptions {
  from: string
  to: string
  batch: string
}

/** `sqlite:FILE` or a plain path is a file; postgres:// URLs are passed as they are. */
export function indexArg(value: string, flag: string): string {
  if (isDatabaseUrl(value)) return value
  const file = value.startsWith('sqlite:') ? value.slice('sqlite:'.length) : value
  if (file === '') throw new UsageError(`${flag} needs sqlite:FILE or a postgres:// URL`)
  return resolve(file)
}

export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('move an index between storage engines')
  db.command('migrate')
    .description('copy an index (torrents, files, cached info dicts) into another, and verify the copy')
    .requiredOption('--from <index>', 'source: sqlite:FILE, a file path, or a postgres:// URL')
    .requiredOption('--to <index>', 'target (empty or new): sqlite:FILE, a file path, or a postgres:// URL')
    .option('--batch <n>', 'torrents per transaction', '500')
    .addHelpText(
      'after',
      `
The copy goes through the lossless NDJSON codec; afterwards both indexes are exported and compared
line by line, and any difference fails the command. Sightings still waiting for metadata are not
copied (a crawl finds them again).

Example:
  bbmesh db migrate --from sqlite:index.db --to postgres://bbmesh@127.0.0.1/bbmesh`,
    )
    .action(
      commandAction(async (ctx, opts: MigrateOptions) => {
        const batchSize = parseCount(opts.batch, '--batch', 1, 100_000)
        const from = await openIndex({ path: indexArg(opts.from, '--from'), readonly: true })
        try {
          const to = await openIndex({ path: indexArg(opts.to, '--to') })
          try {
            const t0 = Date.now()
            const r = await copyIndex(from, to, batchSize, (n) => ctx.out.progress(`copied ${n} torrents`))
            ctx.out.clearProgress()
            const seconds = (Date.now() - t0) / 1000
            if (ctx.out.json)
              ctx.out.record({ event: 'summary', from: from.path, to: to.path, ...r, seconds })
            else {
              ctx.out.text(
                `copied ${r.torrents} torrents (${r.cachedInfos} cached info dicts) in ${seconds.toFixed(1)}s`,
              )
              ctx.out.text(`verified: both exports identical (${r.verified} torrents)`)
            }
          } finally {
            await to.close()
          }
        } finally {
          await from.close()
        }
      }),
    )
}
