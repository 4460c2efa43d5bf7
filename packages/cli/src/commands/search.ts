import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import { formatSize, parseCount, parseSince, parseSize } from '../units.js'
import { UsageError } from '../errors.js'
import { renderTable, withoutEmptyLastColumn } from '../table.js'
import { communityName } from './community-mesh.js'
import { parseBootstrap, parseHostPort } from './dht-shared.js'
import { aliveCell, DEFAULT_ALIVE, parseAlive } from './search-alive.js'
import { runCommunitySearch } from './search-community.js'
import { hitToJson } from './search-json.js'
import { flagHits } from './search-quality.js'
import { runFileSearch } from './search-by-file.js'
import type { CommandContext } from '../context.js'

interface SearchOptions {
  limit: string
  page?: string
  offset?: string
  minSize?: string
  maxSize?: string
  ext?: string
  since?: string
  alive?: string | true
  files?: boolean
  clean?: boolean
  byFile?: boolean
  maxTorrents?: string
  community?: string | true
  deadline: string
  bootstrap?: string
  peer: string[]
  wait: string
}

const collect = (v: string, acc: string[]): string[] => [...acc, v]

export function registerSearchCommand(program: Command): void {
  program
    .command('search')
    .description('full-text search of the index by torrent name and file names')
    .argument(
      // Optional for commander only: `--alive ubuntu` hands the first word to --alive, and the action
      // gives it back; an empty query is still refused there.
      '[query...]',
      'words as people type them ("ubuntu 24.04" finds ubuntu-24.04.1-desktop-amd64.iso)',
    )
    .option('-n, --limit <n>', 'results per page (1-500)', '20')
    .option('--page <n>', 'page number, from 1')
    .option('--offset <n>', 'skip this many results (instead of --page)')
    .option('--min-size <size>', 'only torrents at least this big (e.g. 700MB)')
    .option('--max-size <size>', 'only torrents at most this big (e.g. 4GiB)')
    .option('--ext <extension>', 'only torrents containing a file with this extension (e.g. mkv)')
    .option('--since <when>', 'only torrents seen since (7d, 12h, or a date)')
    .option(
      '--alive [within]',
      `only torrents whose swarm a harvest saw alive (peers found) within this: a duration (default ${DEFAULT_ALIVE}) or a YYYY-MM-DD date`,
    )
    .option('--files', 'list the matched file names under each result')
    .option(
      '--clean',
      'leave out torrents flagged as likely fakes (a "film" that is a program, password bait)',
    )
    .option(
      '--by-file',
      'answer files instead of torrents: each file (by BEP 52 pieces root) with every torrent holding it',
    )
    .option('--max-torrents <n>', 'with --by-file: torrents listed per file (1-500)')
    .option(
      '--community [name]',
      "ask the community's members too (bb_search); no name: the configured `community`",
    )
    .option('--deadline <ms>', 'with --community: how long to wait for members (1-30000)', '1500')
    .option(
      '--wait <s>',
      'with --community, when no member process runs here: wait this long for members to link',
      '15',
    )
    .option('--bootstrap <hosts>', 'with --community, when joining: host:port,… to join the DHT through')
    .option(
      '--peer <host:port>',
      'with --community, when joining: a member to dial directly (repeatable)',
      collect,
      [],
    )
    .addHelpText(
      'after',
      `
With --community the query goes to the members: through the running \`crawl --community\` of this data
dir when there is one (its local socket; milliseconds), else by joining the community for the query
(seconds). Results are merged, each torrent once, with how many members hold it. --json streams
{"event":"hit",…} lines as answers arrive, then {"event":"summary",…} with the ranked results and each
member's latency and hit count. Paging (--page, --offset) is local only.

With --by-file the answers are files of v2 and hybrid torrents, one per pieces root (the same file
under any name in any torrent), each with the torrents that hold it; --limit counts files (1-100).
(--files keeps its meaning: the matched file names under each torrent.)

Example:
  bbmesh search ubuntu 24.04 --ext iso --min-size 1GB --json
  bbmesh search --alive 3d big buck bunny
  bbmesh search --by-file big buck bunny 1080p
  bbmesh search --community friends ubuntu 24.04`,
    )
    .action(
      commandAction(async (ctx, typed: string[], opts: SearchOptions) => {
        const alive = opts.alive === undefined ? undefined : parseAlive(opts.alive, typed)
        const words = alive?.words ?? typed
        const text = words.join(' ').trim()
        if (text === '') throw new UsageError('search: the query is empty')
        if (opts.byFile === true) return fileSearch(ctx, text, opts)
        if (opts.maxTorrents !== undefined) throw new UsageError('--max-torrents needs --by-file')
        const limit = parseCount(opts.limit, '--limit', 1, 500)
        if (opts.page !== undefined && opts.offset !== undefined)
          throw new UsageError('use --page or --offset, not both')
        const offset =
          opts.offset !== undefined
            ? parseCount(opts.offset, '--offset', 0, 1e9)
            : (parseCount(opts.page ?? '1', '--page', 1, 1e7) - 1) * limit
        const query = {
          text,
          limit,
          offset,
          ...(opts.minSize !== undefined && { minSize: parseSize(opts.minSize, '--min-size') }),
          ...(opts.maxSize !== undefined && { maxSize: parseSize(opts.maxSize, '--max-size') }),
          ...(opts.ext !== undefined && { extension: opts.ext.replace(/^\./, '') }),
          ...(opts.since !== undefined && { seenSince: parseSince(opts.since, '--since') }),
          ...(alive !== undefined && { aliveSince: alive.aliveSince }),
        }
        if (opts.community !== undefined) {
          if (opts.page !== undefined || opts.offset !== undefined)
            throw new UsageError('--community: paging is local only; raise --limit (at most 100) instead')
          if (limit > 100) throw new UsageError('--community: --limit is at most 100')
          const bootstrap = parseBootstrap(opts.bootstrap)
          if (bootstrap !== undefined && bootstrap.length === 0)
            throw new UsageError('--bootstrap: expected host:port,…')
          return runCommunitySearch(ctx, {
            name: communityName(ctx, opts.community),
            query,
            deadlineMs: parseCount(opts.deadline, '--deadline', 1, 30_000),
            waitMs: parseCount(opts.wait, '--wait', 1, 3_600) * 1000,
            bootstrap,
            peers: opts.peer.map((p) => parseHostPort(p, '--peer')),
            clean: opts.clean === true,
          })
        }
        if (opts.peer.length > 0 || opts.bootstrap !== undefined)
          throw new UsageError('--peer and --bootstrap need --community')
        const index = await ctx.openIndex()
        try {
          const found = await index.search(query)
          const flagged = await flagHits(index, found.hits)
          const shownHits = opts.clean === true ? flagged.filter((f) => f.flags.length === 0) : flagged
          const page = { ...found, hits: shownHits.map((f) => f.hit) }
          const flagsOf = new Map(flagged.map((f) => [f.hit, f.flags]))
          if (ctx.out.json) {
            ctx.out.record({
              query: text,
              total: page.total,
              totalExact: page.totalExact,
              offset,
              limit,
              hits: page.hits.map((h) => ({ ...hitToJson(h), quality: flagsOf.get(h) ?? [] })),
              ...(opts.clean === true && { hiddenAsSuspicious: flagged.length - shownHits.length }),
            })
            return
          }
          if (page.hits.length === 0) {
            ctx.out.info(`no results for '${text}'`)
            return
          }
          ctx.out.text(
            renderTable(
              ...withoutEmptyLastColumn(
                ['#', 'name', 'size', 'files', 'alive', 'infohash', 'flags'],
                page.hits.map((h, i) => [
                  String(offset + i + 1),
                  h.name,
                  formatSize(h.totalSize),
                  String(h.fileCount),
                  aliveCell(h),
                  (h.infohashV1 ?? h.infohashV2 ?? '').slice(0, 16),
                  (flagsOf.get(h) ?? []).join(','),
                ]),
              ),
              { maxWidth: ctx.out.isTTY ? (process.stdout.columns ?? 120) : 200, flexColumn: 1 },
            ),
          )
          if (opts.files === true) {
            for (const h of page.hits) {
              if (h.matchedFiles.length === 0) continue
              ctx.out.text(`\n${h.name}`)
              for (const f of h.matchedFiles) ctx.out.text(`  ${f.path}  (${formatSize(f.size)})`)
            }
          }
          const shown = `${offset + 1}-${offset + page.hits.length}`
          // Past the ranking window the index counts only up to a cap (a lower bound).
          const total = page.totalExact ? String(page.total) : `${page.total}+`
          ctx.out.info(`${shown} of ${total} result${page.total === 1 ? '' : 's'}`)
        } finally {
          await index.close()
        }
      }),
    )
}

/** --by-file: a different answer (files), so the torrent-only options are refused, not ignored. */
function fileSearch(ctx: CommandContext, text: string, opts: SearchOptions): Promise<void> {
  const torrentOnly: [keyof SearchOptions, string][] = [
    ['page', '--page'],
    ['offset', '--offset'],
    ['minSize', '--min-size'],
    ['maxSize', '--max-size'],
    ['ext', '--ext'],
    ['since', '--since'],
    ['alive', '--alive'],
    ['files', '--files'],
    ['clean', '--clean'],
    ['community', '--community'],
    ['bootstrap', '--bootstrap'],
  ]
  for (const [k, flag] of torrentOnly)
    if (opts[k] !== undefined) throw new UsageError(`--by-file: ${flag} applies to torrent results only`)
  if (opts.peer.length > 0) throw new UsageError('--by-file: --peer applies to torrent results only')
  return runFileSearch(ctx, {
    text,
    limit: parseCount(opts.limit, '--limit', 1, 100),
    maxTorrents: parseCount(opts.maxTorrents ?? '50', '--max-torrents', 1, 500),
  })
}
