// `bbmesh metadata fetch` and `bbmesh metadata serve`: BEP-9 metadata over the peer wire (@bbmesh/wire).
// Finding peers through the DHT (fetch without --peer) and announcing (--announce) are not implemented
// yet and fail with a clear message. Serving the index's metadata cache is not implemented either; its
// `--db` flag would collide with the global `--db <file>` option.
import { readFileSync, writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { fetchMetadata, MetadataServer, MetadataStore, type PeerAddress } from '@bbmesh/wire'
import { commandAction } from '../command-action.js'
import { CliError, UsageError } from '../errors.js'
import { formatSize, parseCount } from '../units.js'
import { summarizeInfo } from './metadata-info.js'

export function registerMetadataCommand(program: Command): void {
  const metadata = program.command('metadata').description('fetch or serve torrent metadata (BEP 9)')
  metadata
    .command('fetch')
    .description('fetch the info dictionary of a torrent from peers and verify it')
    .argument('<infohash>', 'v1 (40 hex) or v2 (64 hex) infohash, or a magnet link (x.pe peers are used)')
    .option('--peer <host:port>', 'a peer to ask (repeatable)', collect, [])
    .option('--bootstrap <host:port,...>', 'DHT bootstrap nodes (DHT peer finding is not implemented yet)')
    .option('--timeout <seconds>', 'overall timeout', '30')
    .option('--out <file.torrent>', 'write a .torrent holding the fetched info dictionary')
    .action(commandAction(fetchAction))
  metadata
    .command('serve')
    .description('serve BEP 9 metadata for .torrent files to any peer that asks')
    .option('--port <port>', 'TCP port to listen on (0: any)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--torrent <file>', 'a .torrent whose metadata to serve (repeatable)', collect, [])
    .option('--announce', 'announce on the DHT (not implemented yet)')
    .option('--bootstrap <host:port,...>', 'DHT bootstrap nodes for --announce')
    .option('--duration <seconds>', 'stop after this long (default: until SIGINT/SIGTERM)')
    .action(commandAction(serveAction))
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

export function parsePeer(text: string): PeerAddress {
  const m = /^\[([0-9a-f:.]+)\]:(\d+)$/i.exec(text) ?? /^([^:\s]+):(\d+)$/.exec(text)
  const port = m ? Number(m[2]) : NaN
  if (!m || port < 1 || port > 65535) throw new UsageError(`--peer: not host:port: '${text}'`)
  return { host: m[1]!, port }
}

/** The infohash (40 or 64 hex) and any `x.pe` peers of a magnet link or bare hash. */
export function parseTarget(text: string): { infohash: string; peers: PeerAddress[] } {
  const t = text.trim()
  if (/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(t)) return { infohash: t.toLowerCase(), peers: [] }
  if (t.startsWith('magnet:?')) {
    const params = new URLSearchParams(t.slice('magnet:?'.length))
    const peers = params.getAll('x.pe').map(parsePeer)
    for (const xt of params.getAll('xt')) {
      const v2 = /^urn:btmh:1220([0-9a-f]{64})$/i.exec(xt)
      if (v2) return { infohash: v2[1]!.toLowerCase(), peers }
    }
    for (const xt of params.getAll('xt')) {
      const v1 = /^urn:btih:([0-9a-f]{40})$/i.exec(xt)
      if (v1) return { infohash: v1[1]!.toLowerCase(), peers }
    }
  }
  throw new UsageError(`not an infohash: '${text}' (40 or 64 hex digits, or a magnet link)`)
}

interface FetchOptions {
  peer: string[]
  bootstrap?: string
  timeout: string
  out?: string
}

const fetchAction = async (
  ctx: Parameters<Parameters<typeof commandAction>[0]>[0],
  raw: string,
  opts: FetchOptions,
) => {
  const target = parseTarget(raw)
  const peers = [...target.peers, ...opts.peer.map(parsePeer)]
  const timeoutMs = parseCount(opts.timeout, '--timeout', 1, 3600) * 1000
  if (peers.length === 0) {
    throw new CliError(
      'no peers: finding peers through the DHT is not implemented yet; pass --peer host:port',
      'NO_PEERS',
    )
  }
  ctx.out.debug(`fetching ${target.infohash} from ${peers.length} peer(s)`)
  let result
  try {
    result = await fetchMetadata({
      infoHash: target.infohash,
      peers,
      timeoutMs,
      peerTimeoutMs: Math.min(timeoutMs, 10_000),
    })
  } catch (err) {
    const failures = (err as { failures?: { peer: string; reason: string }[] }).failures ?? []
    for (const f of failures) ctx.out.info(`${f.peer}: ${f.reason}`)
    throw new CliError(`metadata fetch failed: ${(err as Error).message}`, 'METADATA_FETCH')
  }
  const summary = summarizeInfo(result.info)
  if (opts.out !== undefined) {
    writeFileSync(opts.out, Buffer.concat([Buffer.from('d4:info'), result.info, Buffer.from('e')]))
  }
  if (ctx.out.json) {
    ctx.out.record({
      infohash: target.infohash,
      name: summary.name,
      files: summary.files,
      bytes: result.info.length,
      ms: result.ms,
    })
    return
  }
  ctx.out.text(summary.name)
  ctx.out.text(
    `  ${result.version} metadata, ${result.info.length} bytes from ${result.peer.host}:${result.peer.port} in ${result.ms} ms`,
  )
  for (const f of summary.files.slice(0, 50)) ctx.out.text(`  ${f.path}  (${formatSize(f.size)})`)
  if (summary.files.length > 50) ctx.out.text(`  … and ${summary.files.length - 50} more (--json for all)`)
  if (opts.out !== undefined) ctx.out.info(`wrote ${opts.out}`)
}

interface ServeOptions {
  port: string
  host: string
  torrent: string[]
  announce?: boolean
  duration?: string
}

const serveAction = async (ctx: Parameters<Parameters<typeof commandAction>[0]>[0], opts: ServeOptions) => {
  if (opts.announce === true)
    throw new CliError('--announce: DHT announce is not implemented yet', 'NOT_IMPLEMENTED')
  if (opts.torrent.length === 0) throw new UsageError('nothing to serve: pass --torrent FILE')
  const port = parseCount(opts.port, '--port', 0, 65535)
  const durationMs =
    opts.duration === undefined ? undefined : parseCount(opts.duration, '--duration', 1, 365 * 86400) * 1000
  const store = new MetadataStore()
  for (const file of opts.torrent) {
    let hashes
    try {
      hashes = store.addTorrent(readFileSync(file))
    } catch (err) {
      throw new CliError(`${file}: ${(err as Error).message}`, 'BAD_TORRENT')
    }
    ctx.out.info(
      `serving ${file}${hashes.v1 ? ` v1 ${hashes.v1.toString('hex')}` : ''}${hashes.v2 ? ` v2 ${hashes.v2.toString('hex')}` : ''}`,
    )
  }
  const server = new MetadataServer({ lookup: store })
  const addr = await server.listen(port, opts.host)
  if (ctx.out.json) ctx.out.record({ event: 'listening', host: addr.address, port: addr.port })
  else ctx.out.text(`listening on ${addr.address}:${addr.port}`)
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      clearTimeout(timer)
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    const timer = durationMs === undefined ? undefined : setTimeout(stop, durationMs)
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  const counters = server.counters.snapshot()
  await server.close()
  if (ctx.out.json)
    ctx.out.record({ event: 'stopped', connections: counters.opened, closed: counters.closed })
  else ctx.out.info(`stopped after ${counters.opened} connection(s)`)
}
