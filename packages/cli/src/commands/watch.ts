// `bbmesh watch`: saved searches, served by `bbmesh serve` as RSS at /rss/<id>, with an optional
// webhook POSTed new matches as the index grows.
import { join } from 'node:path'
// Loaded on use (see serve-run.ts): the server package is heavy to import.
import type { Watch, WatchStore } from '@bbmesh/server'
import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import type { CommandContext } from '../context.js'
import { CliError, ExitCode, UsageError } from '../errors.js'
import { renderTable } from '../table.js'

export async function watchStore(ctx: CommandContext): Promise<WatchStore> {
  const { createWatchStore, WATCHES_FILE } = await import('@bbmesh/server')
  return createWatchStore(join(ctx.ensureDataDir(), WATCHES_FILE))
}

function parseCategories(text: string | undefined): number[] {
  if (text === undefined) return []
  if (!/^\d{4,6}(,\d{4,6})*$/.test(text)) throw new UsageError('--cat: Torznab category ids, e.g. 5000,2040')
  return text.split(',').map(Number)
}

const toJson = (w: Watch): Record<string, unknown> => ({
  id: w.id,
  query: w.query,
  categories: w.categories,
  webhook: w.webhook ?? null,
  createdAt: w.createdAt,
  rss: `/rss/${w.id}`,
})

export function registerWatchCommand(program: Command): void {
  const watch = program
    .command('watch')
    .description('saved searches: RSS at /rss/<id> and webhooks (bbmesh serve)')
  watch
    .command('add')
    .description('save a query; `bbmesh serve` serves it as RSS and tells the webhook about new matches')
    .argument('<query...>', 'words as for bbmesh search')
    .option('--cat <ids>', 'only these Torznab categories (e.g. 5000 or 2040,2045)')
    .option('--webhook <url>', 'POST new matches here as JSON (http or https)')
    .action(
      commandAction(async (ctx, words: string[], opts: { cat?: string; webhook?: string }) => {
        const store = await watchStore(ctx)
        const { ServerError } = await import('@bbmesh/server')
        let w: Watch
        try {
          w = store.add({
            query: words.join(' '),
            categories: parseCategories(opts.cat),
            ...(opts.webhook !== undefined && { webhook: opts.webhook }),
          })
        } catch (err) {
          if (err instanceof ServerError) throw new CliError(err.message, err.code, ExitCode.usage)
          throw err
        }
        if (ctx.out.json) ctx.out.record(toJson(w))
        else ctx.out.text(`${w.id}  ${w.query}  (RSS: /rss/${w.id}?apikey=…)`)
      }),
    )
  watch
    .command('list')
    .description('the saved searches')
    .action(
      commandAction(async (ctx) => {
        const ws = (await watchStore(ctx)).list()
        if (ctx.out.json) {
          for (const w of ws) ctx.out.record(toJson(w))
          return
        }
        if (ws.length === 0) {
          ctx.out.info('no saved searches; add one with bbmesh watch add QUERY')
          return
        }
        ctx.out.text(
          renderTable(
            ['id', 'query', 'categories', 'webhook'],
            ws.map((w) => [w.id, w.query, w.categories.join(',') || '-', w.webhook ?? '-']),
            { maxWidth: 200, flexColumn: 1 },
          ),
        )
      }),
    )
  watch
    .command('remove')
    .description('delete a saved search')
    .argument('<id>', 'as `bbmesh watch list` shows it')
    .action(
      commandAction(async (ctx, id: string) => {
        if (!(await watchStore(ctx)).remove(id)) throw new CliError(`no saved search ${id}`, 'NOT_FOUND')
        if (ctx.out.json) ctx.out.record({ removed: id })
        else ctx.out.info(`removed ${id}`)
      }),
    )
}
