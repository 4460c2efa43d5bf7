// `bbmesh crawl`: observe the DHT, sample it with BEP 51, fetch metadata with BEP 9, pool it in the
// index (the @bbmesh/mesh harvester). Runs until SIGINT/SIGTERM or --duration, then flushes every
// accepted batch and prints a summary. A restart resumes: triage skips what the index holds, and up
// to 10,000 infohashes an earlier run sighted without getting metadata are re-queued.
import { constants as dhtConstants } from '@bbmesh/dht'
import { HARVESTER_DEFAULTS, PersistError, type ReplicatePolicy } from '@bbmesh/mesh'
import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import { isDatabaseUrl, type CommandContext } from '../context.js'
import { CliError, UsageError } from '../errors.js'
import { parseCount } from '../units.js'
import { crawlCounters, dbBytes, statusLine, summaryLines } from './crawl-report.js'
import { communityName } from './community-mesh.js'
import { joinCrawlCommunity, type CrawlMember } from './crawl-community.js'
import { joinDht, openCrawlSession, type CrawlSession } from './crawl-session.js'
import { parseBootstrap, parseHostPort } from './dht-shared.js'
import { crawlMetricSources, crawlSampleValues } from './crawl-metrics.js'
import { startServer, type RunningServer } from './serve-run.js'

interface CrawlCommandOptions {
  bootstrap?: string
  port: string
  duration?: string
  concurrency: string
  nodeIds: string
  statsInterval: string
  community?: string | true
  meshPort: string
  peer: string[]
  feedInterval: string
  replicate: string
  serve?: string | true
}

/** How often the TTY status line is redrawn. */
const STATUS_REFRESH_MS = 1_000

export function registerCrawlCommand(program: Command): void {
  program
    .command('crawl')
    .description('harvest the DHT into the index: BEP 51 sampling, BEP 9 metadata, until stopped')
    .option(
      '--bootstrap <hosts>',
      `host:port,… to join through (default: ${dhtConstants.DEFAULT_BOOTSTRAP.join(',')})`,
    )
    .option('--port <p>', 'UDP port of the (first) DHT node; 0 = any free port', '0')
    .option('--duration <s>', 'stop by itself after S seconds (default: run until SIGINT/SIGTERM)')
    .option('--concurrency <n>', 'metadata fetch workers', String(HARVESTER_DEFAULTS.fetchWorkers))
    .option('--node-ids <n>', 'DHT nodes (node ids) to observe from; more ids, wider vantage', '1')
    .option('--stats-interval <s>', 'seconds between {"event":"stats"} lines with --json', '5')
    .option(
      '--community [name]',
      'crawl as a member of this community (bbmesh community list); no name: the configured `community`',
    )
    .option('--mesh-port <p>', 'TCP port of the member listener with --community; 0 = any free port', '0')
    .option(
      '--peer <host:port>',
      'a member to dial directly with --community (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--feed-interval <s>', "seconds between updates of this member's feed on the gossip bus", '300')
    .option(
      '--replicate <policy>',
      'with --community: all = take every torrent members fetch (by relay), own = keep only what you fetch',
      'all',
    )
    .option('--serve [port]', 'also run `bbmesh serve` on 127.0.0.1 (default port 9696) with crawl metrics')
    .addHelpText(
      'after',
      `
Binds 0.0.0.0, or 127.0.0.1 when every bootstrap is a loopback address. Rates are the polite
public-DHT defaults. The index is --db (default <data-dir>/index.db); restarting resumes from it:
what it holds is not fetched again, and sightings still without metadata are retried.
With --community, members pool the crawl: each samples the DHT nodes and fetches the torrents
whose ids are XOR-closest to its own node id, hands the others to their owner, and (with
--replicate all) takes what members fetched over the members-only relay, verified by hash.
With --json: a {"event":"stats",…} line every --stats-interval seconds and a last
{"event":"summary",…} line. SIGINT/SIGTERM flush what was fetched, print the summary and exit 0.`,
    )
    .action(
      commandAction(async (ctx, opts: CrawlCommandOptions) => {
        const bootstrap = parseBootstrap(opts.bootstrap)
        if (bootstrap !== undefined && bootstrap.length === 0)
          throw new UsageError('--bootstrap: expected host:port,…')
        const port = parseCount(opts.port, '--port', 0, 65_535)
        const durationS =
          opts.duration === undefined ? undefined : parseCount(opts.duration, '--duration', 1, 31_536_000)
        const fetchWorkers = parseCount(opts.concurrency, '--concurrency', 1, 1_024)
        const nodeIds = parseCount(opts.nodeIds, '--node-ids', 1, 64)
        if (port !== 0 && port + nodeIds - 1 > 65_535) throw new UsageError('--port: too high for --node-ids')
        const statsIntervalS = parseCount(opts.statsInterval, '--stats-interval', 1, 86_400)
        const host = bootstrap !== undefined && bootstrap.every(isLoopback) ? '127.0.0.1' : '0.0.0.0'
        const meshPort = parseCount(opts.meshPort, '--mesh-port', 0, 65_535)
        const peers = opts.peer.map((p) => parseHostPort(p, '--peer'))
        if (opts.community === undefined && peers.length > 0) throw new UsageError('--peer needs --community')
        const feedIntervalMs = parseCount(opts.feedInterval, '--feed-interval', 1, 86_400) * 1000
        const replicate = parseReplicate(opts.replicate)
        const community =
          opts.community === undefined
            ? undefined
            : { name: communityName(ctx, opts.community), port: meshPort, peers, feedIntervalMs, replicate }
        const servePort =
          opts.serve === undefined
            ? undefined
            : opts.serve === true
              ? 9696
              : parseCount(opts.serve, '--serve', 0, 65_535)
        return crawl(ctx, {
          bootstrap,
          host,
          port,
          durationS,
          fetchWorkers,
          nodeIds,
          statsIntervalS,
          community,
          servePort,
        })
      }),
    )
}

interface CrawlRun {
  bootstrap: string[] | undefined
  host: string
  port: number
  durationS: number | undefined
  fetchWorkers: number
  nodeIds: number
  statsIntervalS: number
  community:
    | {
        name: string
        port: number
        peers: { host: string; port: number }[]
        feedIntervalMs: number
        replicate: ReplicatePolicy
      }
    | undefined
  /** `--serve`: the port of the server run beside the crawl. */
  servePort: number | undefined
}

async function crawl(ctx: CommandContext, r: CrawlRun): Promise<void> {
  const { out } = ctx
  // Signals first: a SIGINT while joining still ends with a summary. A second one kills (default).
  const abort = new AbortController()
  const onSignal = (sig: NodeJS.Signals): void => {
    out.info(`${sig}: stopping, flushing what was fetched…`)
    abort.abort()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const index = await ctx.openIndex()
  let session: CrawlSession | undefined
  let member: CrawlMember | undefined
  let server: RunningServer | undefined
  const timers: NodeJS.Timeout[] = []
  try {
    session = await openCrawlSession({
      bootstrap: r.bootstrap,
      host: r.host,
      port: r.port,
      nodeIds: r.nodeIds,
      fetchWorkers: r.fetchWorkers,
      index,
      onWarning: (m) => out.debug(m),
      onTorrent: (t) => member?.onTorrent(t),
      autoStart: r.community === undefined,
      // The member joins after the DHT does (it announces through it), so the harvester reaches the
      // pool through `member` once there; alone until then.
      ...(r.community !== undefined && {
        pool: {
          forward: (s) => member?.pool.forward(s) ?? false,
          forwardNode: (n) => member?.pool.forwardNode(n) ?? false,
          fetch: (ih) => member?.pool.fetch(ih) ?? Promise.resolve(undefined),
        },
        onIngested: (ts) => member?.pool.announceTorrents(ts),
      }),
    })
    const s = session
    const ports = s.nodes.map((n) => n.address()?.port).join(',')
    out.info(`crawling from ${r.host}:${ports} into ${ctx.dbPath}`)
    if (r.servePort !== undefined) {
      const read = (): ReturnType<typeof crawlCounters> => crawlCounters(s, ctx.dbPath)
      server = await startServer(
        ctx,
        index,
        { host: '127.0.0.1', port: r.servePort, rateLimit: 300 },
        { metricSources: crawlMetricSources(s, read), sampleValues: () => crawlSampleValues(s, read) },
      )
    }
    const started = Date.now()
    const elapsedS = (): number => (Date.now() - started) / 1000

    const routing = await joinDht(s.nodes, abort.signal)
    if (!abort.signal.aborted) {
      if (routing === 0)
        out.warn(
          `no DHT node answered through ${(r.bootstrap ?? ['the public routers']).join(',')}; still trying`,
        )
      else out.info(`joined the DHT: ${routing} nodes in the routing table`)
    }
    if (r.community !== undefined && !abort.signal.aborted) {
      member = await joinCrawlCommunity({
        dataDir: ctx.dataDir,
        name: r.community.name,
        dht: s.nodes[0]!,
        harvester: s.harvester,
        index,
        host: r.host,
        port: r.community.port,
        peers: r.community.peers,
        feedIntervalMs: r.community.feedIntervalMs,
        replicate: r.community.replicate,
        onWarning: (m) => out.warn(m),
      })
      out.info(`member of community ${r.community.name}; waiting up to 15 s for a first member`)
      // Harvest once linked (or alone after the wait): what members hold then comes by relay.
      await member.firstLink(15_000, abort.signal)
    }
    s.harvester.start()
    if (out.json)
      timers.push(
        setInterval(
          () =>
            out.record({ event: 'stats', t: round1(elapsedS()), ...crawlCounters(s, ctx.dbPath, member) }),
          r.statsIntervalS * 1000,
        ),
      )
    else if (process.stderr.isTTY === true)
      timers.push(
        setInterval(
          () => out.progress(statusLine(crawlCounters(s, ctx.dbPath, member), elapsedS())),
          STATUS_REFRESH_MS,
        ),
      )
    else
      timers.push(
        setInterval(
          () => out.info(statusLine(crawlCounters(s, ctx.dbPath, member), elapsedS())),
          r.statsIntervalS * 1000,
        ),
      )

    await new Promise<void>((resolve) => {
      const remaining = r.durationS === undefined ? undefined : r.durationS * 1000 - (Date.now() - started)
      if (remaining !== undefined) timers.push(setTimeout(resolve, Math.max(0, remaining)))
      if (abort.signal.aborted) resolve()
      abort.signal.addEventListener('abort', () => resolve(), { once: true })
    })
    for (const t of timers.splice(0)) clearInterval(t)
    out.clearProgress()

    // Membership as it stood while crawling: after our goodbye the others' tables empty, so read first.
    const meshAtEnd = member?.counters()
    await member?.close()
    await server?.close()
    // Flushes every batch the harvester accepted; throws PersistError if the index refuses them.
    await s.close()
    const counters = crawlCounters(s, ctx.dbPath)
    if (meshAtEnd) counters.mesh = meshAtEnd
    const st = await index.stats().catch(() => null)
    const indexTorrents = st?.torrents ?? null
    await index.close()
    // A Postgres index has no file to measure: its own tables' size, as stats() reports it.
    counters.dbBytes = isDatabaseUrl(ctx.dbPath) ? (st?.dbBytes ?? 0) : dbBytes(ctx.dbPath)
    const durationS = round1(elapsedS())
    if (out.json) out.record({ event: 'summary', durationS, ...counters, indexTorrents })
    else for (const line of summaryLines(counters, durationS, indexTorrents)) out.text(line)
  } catch (err) {
    if (err instanceof PersistError)
      throw new CliError(`${err.unwritten} fetched torrents could not be written: ${err.message}`, err.code)
    throw err
  } finally {
    for (const t of timers) clearInterval(t)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    out.clearProgress()
    await member?.close().catch(() => undefined)
    await server?.close().catch(() => undefined)
    await session?.close().catch(() => undefined)
    await index.close().catch(() => undefined)
  }
}

function parseReplicate(v: string): ReplicatePolicy {
  if (v === 'all' || v === 'own') return v
  throw new UsageError(`--replicate: expected all or own, not ${JSON.stringify(v)}`)
}

function isLoopback(hostPort: string): boolean {
  const host = hostPort.slice(0, hostPort.lastIndexOf(':'))
  return host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

const round1 = (x: number): number => Math.round(x * 10) / 10
