// `bbmesh metadata fetch` and `bbmesh metadata serve`: BEP-9 metadata over the peer wire (@bbmesh/wire).
// Without --peer, fetch finds peers through the DHT (@bbmesh/dht), alongside any `x.pe` peers of a magnet.
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { DhtNode } from '@bbmesh/dht'
import { fetchMetadata, formatAddress, type FetchMetadataResult, type PeerAddress } from '@bbmesh/wire'
import { commandAction } from '../command-action.js'
import type { CommandContext } from '../context.js'
import { CliError, UsageError } from '../errors.js'
import { formatSize, parseCount } from '../units.js'
import { joinDht, untilAborted } from './metadata-dht.js'
import { summarizeInfo } from './metadata-info.js'
import { registerMetadataServeCommand } from './metadata-serve.js'

export function registerMetadataCommand(program: Command): void {
  const metadata = program.command('metadata').description('fetch or serve torrent metadata (BEP 9)')
  metadata
    .command('fetch')
    .description(
      "fetch the info dictionary of a torrent from peers and verify it; without --peer, peers come from the DHT (and a magnet's x.pe)",
    )
    .argument('<infohash>', 'v1 (40 hex) or v2 (64 hex) infohash, or a magnet link (x.pe peers are used)')
    .option('--peer <host:port>', 'a peer to ask (repeatable); skips the DHT', collect, [])
    .option('--bootstrap <host:port,...>', 'DHT bootstrap nodes (default: the public routers)')
    .option('--timeout <seconds>', 'overall timeout, DHT lookup included', '30')
    .option('--out <file.torrent>', 'write a .torrent holding the fetched info dictionary')
    .action(commandAction(fetchAction))
  registerMetadataServeCommand(metadata)
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

/** One peer's deadline, dial included. */
const PEER_TIMEOUT_MS = 10_000

const fetchAction = async (ctx: CommandContext, raw: string, opts: FetchOptions): Promise<void> => {
  const target = parseTarget(raw)
  const explicit = opts.peer.map(parsePeer)
  const timeoutMs = parseCount(opts.timeout, '--timeout', 1, 3600) * 1000
  const deadline = new AbortController()
  const timer = setTimeout(
    () => deadline.abort(new CliError(`metadata fetch timed out after ${timeoutMs / 1000} s`, 'TIMEOUT')),
    timeoutMs,
  )
  const started = Date.now()
  const fetchFrom = (peers: PeerAddress[]): Promise<FetchMetadataResult> =>
    fetchMetadata({
      infoHash: target.infohash,
      peers,
      timeoutMs: Math.max(1, timeoutMs - (Date.now() - started)),
      peerTimeoutMs: Math.min(timeoutMs, PEER_TIMEOUT_MS),
      signal: deadline.signal,
    })
  let node: DhtNode | undefined
  const attempts: Promise<FetchMetadataResult>[] = []
  try {
    if (explicit.length > 0) {
      attempts.push(fetchFrom([...explicit, ...target.peers]))
    } else {
      // The magnet's own peers are tried at once, while the DHT lookup runs.
      if (target.peers.length > 0) attempts.push(fetchFrom(target.peers))
      attempts.push(
        (async () => {
          node = await joinDht(opts.bootstrap, deadline.signal)
          ctx.out.debug(`DHT: joined in ${Date.now() - started} ms`)
          // BEP 52: the DHT and the handshake use a v2 infohash truncated to 20 bytes.
          const key = Buffer.from(target.infohash, 'hex').subarray(0, 20)
          const found = await untilAborted(node.lookup(key, { signal: deadline.signal }), deadline.signal)
          const known = new Set(target.peers.map(formatAddress))
          const fresh = found.filter((p) => !known.has(formatAddress(p)))
          ctx.out.debug(`DHT: ${found.length} peer(s) after ${Date.now() - started} ms`)
          if (fresh.length === 0) throw new CliError('no peers found in the DHT', 'NO_PEERS')
          return fetchFrom(fresh)
        })(),
      )
    }
    for (const a of attempts) a.catch(() => undefined)
    const result = await Promise.any(attempts).catch((err: unknown) => {
      throw fetchError(ctx, err, deadline.signal)
    })
    report(ctx, target.infohash, result, Date.now() - started, opts.out)
  } finally {
    clearTimeout(timer)
    deadline.abort(new CliError('done', 'DONE'))
    await Promise.allSettled(attempts)
    await (node as DhtNode | undefined)?.destroy()
  }
}

/** The most telling error of failed attempts: the deadline, else no peers, else every peer's reason. */
function fetchError(ctx: CommandContext, err: unknown, deadline: AbortSignal): CliError {
  if (deadline.aborted && deadline.reason instanceof CliError) return deadline.reason
  const errors = err instanceof AggregateError ? (err.errors as unknown[]) : [err]
  const failures = errors.flatMap(
    (e) => (e as { failures?: { peer: string; reason: string }[] }).failures ?? [],
  )
  for (const f of failures) ctx.out.info(`${f.peer}: ${f.reason}`)
  const cli = errors.find((e): e is CliError => e instanceof CliError)
  if (cli && failures.length === 0) return cli
  const first = errors[0]
  const why = first instanceof Error ? first.message : String(first)
  return new CliError(`metadata fetch failed: ${why}`, 'METADATA_FETCH')
}

function report(
  ctx: CommandContext,
  infohash: string,
  result: FetchMetadataResult,
  ms: number,
  out?: string,
): void {
  const summary = summarizeInfo(result.info)
  if (out !== undefined) {
    writeFileSync(out, Buffer.concat([Buffer.from('d4:info'), result.info, Buffer.from('e')]))
  }
  if (ctx.out.json) {
    ctx.out.record({
      infohash,
      name: summary.name,
      files: summary.files,
      bytes: result.info.length,
      ms,
    })
    return
  }
  ctx.out.text(summary.name)
  ctx.out.text(
    `  ${result.version} metadata, ${result.info.length} bytes from ${formatAddress(result.peer)} in ${ms} ms`,
  )
  for (const f of summary.files.slice(0, 50)) ctx.out.text(`  ${f.path}  (${formatSize(f.size)})`)
  if (summary.files.length > 50) ctx.out.text(`  … and ${summary.files.length - 50} more (--json for all)`)
  if (out !== undefined) ctx.out.info(`wrote ${out}`)
}
