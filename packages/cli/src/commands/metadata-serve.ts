// `bbmesh metadata serve`: BEP-9 metadata for .torrent files and/or the index's metadata cache, with an
// optional DHT announcer so peers that look an infohash up find us.
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { DhtNode } from '@bbmesh/dht'
import type { PooledIndex } from '@bbmesh/index'
import { MetadataServer, MetadataStore, type AsyncMetadataLookup } from '@bbmesh/wire'
import { commandAction } from '../command-action.js'
import type { CommandContext } from '../context.js'
import { CliError, UsageError } from '../errors.js'
import { parseCount } from '../units.js'
import { cachedInfohashes } from './metadata-index.js'
import { announceReports, joinDht, runAnnouncer, untilStopped } from './metadata-dht.js'

interface ServeOptions {
  port: string
  host?: string
  torrent: string[]
  fromIndex?: boolean
  announce?: boolean
  bootstrap?: string
  announceRate: string
  announceInterval: string
  duration?: string
}

export function registerMetadataServeCommand(metadata: Command): void {
  metadata
    .command('serve')
    .description(
      'serve BEP 9 metadata to any peer that asks: the given .torrent files, or without --torrent the ' +
        "index's metadata cache (--db / --data-dir); --from-index serves both",
    )
    .option('--port <port>', 'TCP port to listen on (0: any)', '0')
    .option('--host <host>', 'address to listen on (default 127.0.0.1; 0.0.0.0 with --announce)')
    .option('--torrent <file>', 'a .torrent whose metadata to serve (repeatable)', collect, [])
    .option('--from-index', "also serve the index's metadata cache when --torrent is given")
    .option('--announce', 'announce every served infohash on the DHT with our TCP port, and repeat')
    .option('--bootstrap <host:port,...>', 'DHT bootstrap nodes for --announce (default: the public routers)')
    .option('--announce-rate <n>', 'announces started per second', '4')
    .option('--announce-interval <seconds>', 'start a new announce round this often', '900')
    .option('--duration <seconds>', 'stop after this long (default: until SIGINT/SIGTERM)')
    .action(commandAction(serveAction))
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

const serveAction = async (ctx: CommandContext, opts: ServeOptions): Promise<void> => {
  const port = parseCount(opts.port, '--port', 0, 65535)
  const durationMs =
    opts.duration === undefined ? undefined : parseCount(opts.duration, '--duration', 1, 365 * 86400) * 1000
  const rate = parseCount(opts.announceRate, '--announce-rate', 1, 1000)
  const intervalMs = parseCount(opts.announceInterval, '--announce-interval', 1, 86400) * 1000
  if (opts.bootstrap !== undefined && opts.announce !== true)
    throw new UsageError('--bootstrap is only used with --announce')
  const host = opts.host ?? (opts.announce === true ? '0.0.0.0' : '127.0.0.1')
  const store = new MetadataStore()
  const announced: Buffer[] = []
  for (const file of opts.torrent) {
    let hashes
    try {
      hashes = store.addTorrent(readFileSync(file))
    } catch (err) {
      throw new CliError(`${file}: ${(err as Error).message}`, 'BAD_TORRENT')
    }
    // BEP 52: peers find a v2 torrent in the DHT under its hash truncated to 20 bytes.
    if (hashes.v1) announced.push(hashes.v1)
    if (hashes.v2) announced.push(hashes.v2.subarray(0, 20))
    ctx.out.info(
      `serving ${file}${hashes.v1 ? ` v1 ${hashes.v1.toString('hex')}` : ''}${hashes.v2 ? ` v2 ${hashes.v2.toString('hex')}` : ''}`,
    )
  }
  let index: PooledIndex | undefined
  if (opts.torrent.length === 0 || opts.fromIndex === true) {
    if (!ctx.hasIndex())
      throw new CliError(
        `no index at ${ctx.dbPath}: pass --torrent FILE or import torrents first`,
        'NO_INDEX',
      )
    index = await ctx.openIndex({ readonly: true })
    ctx.out.info(`serving the metadata cache of ${ctx.dbPath}`)
  }
  const fromIndex = index
  const lookup: AsyncMetadataLookup = fromIndex
    ? { get: (ih) => store.get(ih) ?? fromIndex.metadataFor(ih) }
    : store
  const stop = new AbortController()
  let node: DhtNode | undefined
  let server: MetadataServer | undefined
  let announcer: Promise<void> | undefined
  let listening = false
  try {
    if (opts.announce === true) {
      ctx.out.info('joining the DHT…')
      node = await joinDht(opts.bootstrap, stop.signal, host === '127.0.0.1' ? host : undefined)
    }
    const dhtPort = node?.address()?.port
    server = new MetadataServer({ lookup, ...(dhtPort !== undefined && { dhtPort }) })
    const addr = await server.listen(port, host)
    listening = true
    if (ctx.out.json) ctx.out.record({ event: 'listening', host: addr.address, port: addr.port })
    else ctx.out.text(`listening on ${addr.address}:${addr.port}`)
    if (node) {
      const list = async (): Promise<Buffer[]> => {
        const all = [...announced, ...(fromIndex ? await cachedInfohashes(fromIndex) : [])]
        return [...new Map(all.map((h) => [h.toString('hex'), h])).values()]
      }
      announcer = runAnnouncer({
        node,
        port: addr.port,
        list,
        perSecond: rate,
        intervalMs,
        signal: stop.signal,
        ...announceReports(ctx.out),
      })
    }
    await untilStopped(durationMs)
  } finally {
    stop.abort()
    await announcer
    const counters = server?.counters.snapshot()
    await server?.close()
    await node?.destroy()
    await index?.close()
    if (counters && listening) {
      if (ctx.out.json)
        ctx.out.record({ event: 'stopped', connections: counters.opened, closed: counters.closed })
      else ctx.out.info(`stopped after ${counters.opened} connection(s)`)
    }
  }
}
