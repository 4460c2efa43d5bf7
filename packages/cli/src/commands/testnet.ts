// `bbmesh testnet`: build a loopback testnet (stock and bbmesh DHT nodes, seeds announcing
// generated torrents), run K independent harvesters on it, report coverage over time. With --json:
// a {"event":"ready"} line, a stats line every few seconds, and a last {"event":"summary",…} line.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { runTestnet, type RunEvent, type RunSummary } from '@bbmesh/testnet'
import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import { UsageError } from '../errors.js'
import { parseCount } from '../units.js'
import { populationLine, runSimCommand } from './testnet-sim.js'

interface TestnetCommandOptions {
  nodes: string
  stockShare: string
  torrents: string
  harvesters: string
  duration: string
  seed: string
  indexDir?: string
  sim?: boolean
  community?: boolean
  compareIndependent?: boolean
  latency: string
  loss: string
  wallLimit: string
}

export function registerTestnetCommand(program: Command): void {
  program
    .command('testnet')
    .description('run harvesters on a loopback testnet (127.0.0.1 only) and report their coverage')
    .option('--nodes <n>', 'DHT nodes', '100')
    .option('--stock-share <f>', 'share of stock bittorrent-dht nodes, 0..1', '0.333')
    .option('--torrents <t>', 'generated torrents announced by the seeds', '200')
    .option('--harvesters <k>', 'independent harvesters', '1')
    .option(
      '--duration <s>',
      'longest harvest in seconds, simulated seconds with --sim (stops earlier once every harvester has everything)',
      '60',
    )
    .option('--seed <x>', 'seed of every random choice (node ids, content, layout)', '1')
    .option(
      '--community',
      'make the harvesters one community that pools the crawl (keyspace split by node id, sightings to their owner, metadata by relay); with --sim over in-memory member links',
    )
    .option(
      '--compare-independent',
      'with --community: then run the same K harvesters independently on the same testnet seed, and compare',
    )
    .option('--sim', 'simulate instead: in-memory network of up to 50,000 nodes, simulated BEP 9')
    .option('--latency <ms>', 'with --sim: one-way latency in ms, or a range like 5-50', '5-50')
    .option('--loss <f>', 'with --sim: share of datagrams lost, 0..1', '0.01')
    .option(
      '--wall-limit <s>',
      'with --sim: stop after this many real seconds, whatever simulated time',
      '600',
    )
    .option('--index-dir <dir>', "keep each harvester's index as DIR/h0.db, h1.db… (default: in memory)")
    .addHelpText(
      'after',
      '\nEverything binds 127.0.0.1; nothing talks to the public DHT. SIGINT/SIGTERM end the run early with a summary.',
    )
    .action(
      commandAction(async (ctx, opts: TestnetCommandOptions) => {
        const nodes = parseCount(opts.nodes, '--nodes', 2, opts.sim === true ? 50_000 : 2_000)
        const torrents = parseCount(opts.torrents, '--torrents', 1, 50_000)
        const harvesters = parseCount(opts.harvesters, '--harvesters', 1, 32)
        const duration = parseCount(opts.duration, '--duration', 1, 86_400)
        const seed = parseCount(opts.seed, '--seed', 0, 2 ** 31 - 1)
        if (opts.sim === true) {
          if (opts.compareIndependent === true)
            throw new UsageError(
              '--compare-independent: not with --sim yet (run it twice, with and without --community)',
            )
          if (opts.indexDir !== undefined)
            throw new UsageError('--index-dir: the simulation keeps its indexes in memory')
          return runSimCommand(ctx, {
            nodes,
            torrents,
            harvesters,
            durationS: duration,
            seed,
            latency: opts.latency,
            loss: opts.loss,
            wallLimitS: parseCount(opts.wallLimit, '--wall-limit', 1, 86_400),
            community: opts.community === true,
          })
        }
        if (opts.compareIndependent === true && opts.community !== true)
          throw new UsageError('--compare-independent needs --community')
        const stockShare = Number(opts.stockShare)
        if (!/^\d*\.?\d+$/.test(opts.stockShare.trim()) || !(stockShare >= 0 && stockShare <= 1))
          throw new UsageError(`--stock-share: must be a number between 0 and 1: '${opts.stockShare}'`)

        const indexDir = opts.indexDir !== undefined ? resolve(opts.indexDir) : undefined
        if (indexDir !== undefined) mkdirSync(indexDir, { recursive: true, mode: 0o700 })

        const abort = new AbortController()
        const stop = (): void => abort.abort()
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
        const onEvent = (e: RunEvent): void => {
          if (ctx.out.json) return ctx.out.record(e)
          if (e.event === 'ready') {
            const t = e.testnet
            ctx.out.info(
              `testnet up in ${(e.buildMs / 1000).toFixed(1)} s: ${t.nodes.bbmesh} bbmesh + ${t.nodes.stock} stock nodes, ` +
                `${t.seeds.bbmesh + t.seeds.stock} seeds, ${t.torrents.announced}/${t.torrents.total} torrents announced`,
            )
          } else if (e.event === 'stats') {
            ctx.out.info(
              `${(e.t / 1000).toFixed(0)} s: sighted ${pct(e.coverage)}, metadata ${pct(e.metadataCoverage)} ` +
                `(${e.harvesters.map((h) => `${h.name} ${pct(h.metadataCoverage)}`).join(', ')})`,
            )
          }
        }
        const run = (community: boolean): Promise<RunSummary> =>
          runTestnet({
            nodes,
            stockShare,
            torrents,
            seeds: Math.max(1, Math.min(torrents, Math.round(torrents / 10))),
            harvesters,
            durationMs: duration * 1000,
            seed,
            statsIntervalMs: 5_000,
            signal: abort.signal,
            onEvent,
            community,
            ...(indexDir !== undefined && {
              indexDir: community ? indexDir : resolve(indexDir, 'independent'),
            }),
          })
        let summary: RunSummary
        let independent: RunSummary | undefined
        try {
          summary = await run(opts.community === true)
          if (opts.compareIndependent === true && !abort.signal.aborted) {
            if (indexDir !== undefined) mkdirSync(resolve(indexDir, 'independent'), { mode: 0o700 })
            ctx.out.info(`now the same ${harvesters} harvesters, independent`)
            independent = await run(false)
          }
        } finally {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
        }
        if (ctx.out.json) {
          if (independent) ctx.out.record({ event: 'comparison', cooperating: summary, independent })
          return
        }
        for (const line of summaryLines(summary)) ctx.out.text(line)
        if (independent) {
          ctx.out.text('')
          ctx.out.text(comparisonTable(summary, independent).join('\n'))
        }
      }),
    )
}

function summaryLines(s: RunSummary): string[] {
  const lines = [
    `announced            ${s.announced}`,
    `sighted (union)      ${pct(s.coverage)}`,
    `metadata (union)     ${pct(s.metadataCoverage)}`,
    `time to 95% sighted  ${secs(s.timeToCoverage['95'])}`,
    `time to 95% metadata ${secs(s.timeToMetadataCoverage['95'])}`,
    `messages/infohash    ${s.messagesPerInfohash ?? '-'}`,
    `fetches/infohash     ${s.fetchesPerInfohash ?? '-'}`,
  ]
  const est = populationLine(s)
  if (est) lines.push(est)
  const c = s.community
  if (c)
    lines.push(
      `community            ${c.members} members, converged ${secs(c.convergedMs)}, ` +
        `${c.perMember.messagesOut} msgs / ${c.perMember.bytesOut} B sent per member`,
    )
  if (c?.pool)
    lines.push(
      `pooling              ${c.pool.forwarded} sightings and ${c.pool.nodesForwarded} nodes handed to their owner, ` +
        `${c.pool.relayedIn} torrents relayed (${c.pool.relayBytesPerMember} B out per member), ` +
        `${c.pool.relayFailures} relay misses, ${c.pool.badHash} bad hashes`,
    )
  for (const h of s.harvesters)
    lines.push(`  ${h.name}: sighted ${pct(h.coverage)}, metadata ${pct(h.metadataCoverage)}`)
  return lines
}

/** Cooperating vs independent, the figures the pooling issue asks for side by side. */
function comparisonTable(coop: RunSummary, indep: RunSummary): string[] {
  const slowest = (s: RunSummary): string => pct(Math.min(...s.harvesters.map((h) => h.metadataCoverage)))
  const row = (label: string, f: (s: RunSummary) => string): string =>
    `${label.padEnd(24)}${f(indep).padStart(14)}${f(coop).padStart(14)}`
  return [
    `${''.padEnd(24)}${'independent'.padStart(14)}${'cooperating'.padStart(14)}`,
    row('time to 95% metadata', (s) => secs(s.timeToMetadataCoverage['95'])),
    row('metadata (union)', (s) => pct(s.metadataCoverage)),
    row('metadata (slowest)', slowest),
    row('swarm fetches/infohash', (s) => String(s.fetchesPerInfohash ?? '-')),
    row('messages/infohash', (s) => String(s.messagesPerInfohash ?? '-')),
  ]
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
const secs = (ms: number | null): string => (ms === null ? 'not reached' : `${(ms / 1000).toFixed(1)} s`)
