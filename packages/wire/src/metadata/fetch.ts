// BEP-9 metadata fetch: race several peers, verify what arrives against the infohash (v1 SHA-1 or v2
// SHA-256), drop peers that send bad pieces and go on with the others.
import type { PeerConnection } from '../connection.js'
import { DEFAULT_MAX_METADATA_SIZE } from '../constants.js'
import { formatAddress, type PeerAddress } from '../dial.js'
import type { ExtendedHandshake } from '../extended-handshake.js'
import { AbortError, InvalidArgumentError, MetadataError, TimeoutError, WireError } from '../errors.js'
import { PeerHost } from '../host.js'
import { metadataProtocol } from './codec.js'
import { createMetadataExtension, type MetadataPeer } from './extension.js'
import { parseInfoHash, verifyInfo, type InfoHashTarget, type InfoHashVersion } from './infohash.js'

export interface FetchMetadataOptions {
  /** 20-byte v1 or truncated v2 hash, or the full 32-byte v2 hash (bytes or hex). */
  infoHash: Uint8Array | string
  peers: readonly PeerAddress[]
  /** Host to dial from; it must have ut_metadata registered. Default: a private host closed at the end. */
  host?: PeerHost
  /** Overall deadline. Default 30 s. */
  timeoutMs?: number
  /** Deadline per peer, dial included. Default 10 s. */
  peerTimeoutMs?: number
  /** Largest metadata_size we accept. Default 10 MB. */
  maxSize?: number
  /** Peers tried at the same time. Default 8. */
  concurrency?: number
  signal?: AbortSignal
}

export interface PeerFailure {
  peer: string
  reason: string
}

export interface FetchMetadataResult {
  /** The raw bencoded info dict, verified. */
  info: Uint8Array
  version: InfoHashVersion
  peer: PeerAddress
  ms: number
  /** Peers that failed before one succeeded. */
  failures: PeerFailure[]
}

export async function fetchMetadata(opts: FetchMetadataOptions): Promise<FetchMetadataResult> {
  const target = parseInfoHash(opts.infoHash)
  const host = opts.host ?? new PeerHost()
  if (!opts.host) host.registry.register(createMetadataExtension())
  if (!host.registry.has(metadataProtocol.name))
    throw new InvalidArgumentError('host has no ut_metadata extension')
  const started = Date.now()
  const failures: PeerFailure[] = []
  const race = new AbortController()
  const overall = setTimeout(
    () => race.abort(new TimeoutError('ERR_METADATA_TIMEOUT', 'metadata fetch timed out')),
    opts.timeoutMs ?? 30_000,
  )
  const onAbort = (): void => race.abort(new AbortError())
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  if (opts.signal?.aborted) race.abort(new AbortError())
  const queue = [...opts.peers]
  let winner: FetchMetadataResult | undefined
  const worker = async (): Promise<void> => {
    for (let addr = queue.shift(); addr && !race.signal.aborted; addr = queue.shift()) {
      try {
        const { info, version } = await fetchFromPeer(host, addr, target, opts, race.signal)
        if (!winner) winner = { info, version, peer: addr, ms: Date.now() - started, failures }
        race.abort(new AbortError('another peer won'))
      } catch (err) {
        if (!winner)
          failures.push({
            peer: formatAddress(addr),
            reason: err instanceof Error ? err.message : String(err),
          })
      }
    }
  }
  try {
    const n = Math.max(1, Math.min(opts.concurrency ?? 8, queue.length))
    await Promise.all(Array.from({ length: n }, worker))
  } finally {
    clearTimeout(overall)
    opts.signal?.removeEventListener('abort', onAbort)
    if (!opts.host) await host.close()
  }
  if (winner) return winner
  const reason = race.signal.reason
  if (reason instanceof WireError && reason.code !== 'ERR_ABORTED')
    throw new MetadataError(reason.message, failures)
  if (opts.signal?.aborted) throw new AbortError()
  throw new MetadataError(opts.peers.length === 0 ? 'no peers given' : 'every peer failed', failures)
}

async function fetchFromPeer(
  host: PeerHost,
  addr: PeerAddress,
  target: InfoHashTarget,
  opts: FetchMetadataOptions,
  raceSignal: AbortSignal,
): Promise<{ info: Uint8Array; version: InfoHashVersion }> {
  const peerTimeout = opts.peerTimeoutMs ?? 10_000
  const signal = AbortSignal.any([raceSignal, AbortSignal.timeout(peerTimeout)])
  const conn = await host.connect(addr, target.handshakeHash, { timeoutMs: peerTimeout, signal })
  try {
    return await withSignal(conn, signal, async () => {
      const hs = await extendedHandshake(conn)
      const maxSize = opts.maxSize ?? DEFAULT_MAX_METADATA_SIZE
      if (!hs.extensions.get(metadataProtocol.name))
        throw new MetadataError('peer does not support ut_metadata')
      const size = hs.metadataSize
      if (size === undefined) throw new MetadataError('peer sent no metadata_size')
      if (size > maxSize) throw new MetadataError(`metadata_size ${size} over cap ${maxSize}`)
      const peer = conn.extension<MetadataPeer>(metadataProtocol.name)
      if (!peer) throw new MetadataError('ut_metadata not registered')
      const info = await peer.collect(size)
      const version = verifyInfo(target, info)
      if (!version) throw new MetadataError('metadata does not match the infohash')
      return { info, version }
    })
  } finally {
    conn.close('local')
  }
}

function extendedHandshake(conn: PeerConnection): Promise<ExtendedHandshake> {
  if (conn.peerExtendedHandshake) return Promise.resolve(conn.peerExtendedHandshake)
  return new Promise((resolve, reject) => {
    conn.once('extended-handshake', resolve)
    conn.once('close', (c) =>
      reject(
        new MetadataError(`closed before extended handshake: ${c.reason}${c.detail ? ` (${c.detail})` : ''}`),
      ),
    )
  })
}

/** Runs `fn`, failing fast if the signal fires or the connection closes. */
function withSignal<T>(conn: PeerConnection, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      const r: unknown = signal.reason
      reject(
        r instanceof DOMException && r.name === 'TimeoutError'
          ? new TimeoutError('ERR_METADATA_TIMEOUT', 'peer timed out')
          : r,
      )
    }
    const onClose = (c: { reason: string; detail?: string }): void =>
      reject(new MetadataError(`connection closed: ${c.reason}${c.detail ? ` (${c.detail})` : ''}`))
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    conn.once('close', onClose)
    fn()
      .then(resolve, reject)
      .finally(() => {
        signal.removeEventListener('abort', onAbort)
        conn.off('close', onClose)
      })
  })
}
