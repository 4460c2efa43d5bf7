// `bbmesh torrent seed FILE.torrent DIR`: seed a torrent's pieces from its files on disk (BEP 3, BEP 9
// and BEP 52 hash requests on one port), and with --cross-seed also every torrent of the index that
// shares one of its v2 files (issue 13: @bbmesh/mesh's CrossSeeder over the v2 file index; only files
// verified against the other torrent's pieces root are served). --announce puts us in the DHT for all.
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { DhtNode } from '@bbmesh/dht'
import type { PooledIndex } from '@bbmesh/index'
import { CrossSeeder } from '@bbmesh/mesh'
import {
  DiskStorage,
  PieceServer,
  bdecode,
  isDict,
  layoutFromInfo,
  rawDictValue,
  type PieceLayers,
  type TorrentLayout,
} from '@bbmesh/wire'
import { createHash } from 'node:crypto'
import { commandAction } from '../command-action.js'
import type { CommandContext } from '../context.js'
import { CliError, UsageError } from '../errors.js'
import { parseCount } from '../units.js'
import { announceReports, joinDht, runAnnouncer, untilStopped } from './metadata-dht.js'

interface SeedOptions {
  port: string
  host?: string
  crossSeed?: boolean
  announce?: boolean
  bootstrap?: string
  announceInterval: string
  duration?: string
}

export function registerTorrentSeedCommand(torrent: Command): void {
  torrent
    .command('seed')
    .description(
      'seed a torrent from its files (DIR holds the files under their torrent paths; a single-file ' +
        "torrent's DIR is the file itself); --cross-seed also seeds the index's torrents sharing a v2 file",
    )
    .argument('<torrent>', 'the .torrent file')
    .argument('<dir>', 'where its files are')
    .option('--port <port>', 'TCP port to listen on (0: any)', '0')
    .option('--host <host>', 'address to listen on (default 127.0.0.1; 0.0.0.0 with --announce)')
    .option('--cross-seed', "also seed the index's torrents that share a v2 file with it (--db / --data-dir)")
    .option('--announce', 'announce every seeded torrent on the DHT with our TCP port, and repeat')
    .option('--bootstrap <host:port,...>', 'DHT bootstrap nodes for --announce (default: the public routers)')
    .option('--announce-interval <seconds>', 'start a new announce round this often', '900')
    .option('--duration <seconds>', 'stop after this long (default: until SIGINT/SIGTERM)')
    .action(commandAction(seedAction))
}

function readTorrent(file: string): { info: Uint8Array; layout: TorrentLayout; layers: PieceLayers } {
  try {
    const bytes = readFileSync(file)
    const info = rawDictValue(bytes, 'info')
    if (!info) throw new Error('no info dict')
    const layers = new Map<string, Uint8Array>()
    const top = bdecode(bytes)
    const pl = isDict(top) ? top['piece layers'] : undefined
    if (isDict(pl))
      for (const [k, v] of Object.entries(pl))
        if (v instanceof Uint8Array) layers.set(Buffer.from(k, 'latin1').toString('hex'), v)
    return { info, layout: layoutFromInfo(info), layers }
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`, 'BAD_TORRENT')
  }
}

/** BEP 52: a v2 swarm is found under the truncated v2 infohash; a hybrid also under its v1 one. */
function dhtHashes(info: Uint8Array, layout: TorrentLayout): string[] {
  const out = [Buffer.from(layout.infoHash).toString('hex')]
  if (layout.v2 && layout.v1Pieces) out.push(createHash('sha256').update(info).digest('hex').slice(0, 40))
  return out
}

const seedAction = async (
  ctx: CommandContext,
  file: string,
  dir: string,
  opts: SeedOptions,
): Promise<void> => {
  const port = parseCount(opts.port, '--port', 0, 65535)
  const durationMs =
    opts.duration === undefined ? undefined : parseCount(opts.duration, '--duration', 1, 365 * 86400) * 1000
  const intervalMs = parseCount(opts.announceInterval, '--announce-interval', 1, 86400) * 1000
  if (opts.bootstrap !== undefined && opts.announce !== true)
    throw new UsageError('--bootstrap is only used with --announce')
  const host = opts.host ?? (opts.announce === true ? '0.0.0.0' : '127.0.0.1')
  const { info, layout, layers } = readTorrent(file)
  if (opts.crossSeed === true && !ctx.hasIndex())
    throw new CliError(
      `no index at ${ctx.dbPath}: --cross-seed needs one (import torrents first)`,
      'NO_INDEX',
    )
  const storage = new DiskStorage(layout, dir, true)
  const server = new PieceServer()
  const stop = new AbortController()
  let index: PooledIndex | undefined
  let node: DhtNode | undefined
  let announcer: Promise<void> | undefined
  const announced = new Set(dhtHashes(info, layout))
  try {
    const key = server.add(info, storage, { pieceLayers: layers })
    const addr = await server.listen(port, host)
    if (ctx.out.json)
      ctx.out.record({ event: 'listening', host: addr.address, port: addr.port, infohash: key })
    else ctx.out.text(`seeding ${key} on ${addr.address}:${addr.port}`)
    if (opts.crossSeed === true) {
      index = await ctx.openIndex({ readonly: true })
      const outcomes = await new CrossSeeder({ index, server }).seedFrom(info, storage)
      for (const o of outcomes) {
        for (const h of o.announceAs) announced.add(h)
        if (ctx.out.json) ctx.out.record({ event: 'cross-seed', ...o })
        else ctx.out.info(`${o.infohash}: ${o.status}${o.files.length ? ` (${o.files.join(', ')})` : ''}`)
      }
      if (outcomes.length === 0) ctx.out.info('no other torrent in the index shares a v2 file with it')
    }
    if (opts.announce === true) {
      node = await joinDht(opts.bootstrap, stop.signal, host === '127.0.0.1' ? host : undefined)
      const dhtNode = node
      announcer = runAnnouncer({
        node: dhtNode,
        port: addr.port,
        list: async () => [...announced].map((h) => Buffer.from(h, 'hex')),
        perSecond: 4,
        intervalMs,
        signal: stop.signal,
        ...announceReports(ctx.out),
      })
    }
    await untilStopped(durationMs)
  } finally {
    stop.abort()
    await announcer
    const s = server.stats
    await server.close()
    await node?.destroy()
    await index?.close()
    if (ctx.out.json) ctx.out.record({ event: 'stopped', ...s })
    else ctx.out.info(`stopped: ${s.piecesServed} block(s) served, ${s.verifyFailures} refused unverified`)
  }
}
