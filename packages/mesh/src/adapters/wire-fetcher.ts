import {
  ConnectionLimitError,
  DialError,
  PeerHost,
  TimeoutError,
  createMetadataExtension,
  metadataProtocol,
  parseInfoHash,
  verifyInfo,
  type ExtendedHandshake,
  type MetadataPeer,
  type PeerConnection,
  type PeerHostOptions,
} from '@bbmesh/wire'
import { FetchError } from '../errors.js'
import type { Endpoint, MetadataFetcher } from '../harvester/types.js'

export interface WireFetcherOptions {
  /** Our DHT port: sets the BEP-5 DHT bit, so peers tell us theirs with PORT (directed sampling). */
  dhtPort?: number
  /** Largest metadata_size accepted (BEP 9); 10 MB by default. */
  maxSize?: number
  /** Passed to the PeerHost this fetcher creates (connection caps, limits, client name). */
  host?: Omit<PeerHostOptions, 'dhtPort'>
}

export interface WireFetcher extends MetadataFetcher {
  readonly host: PeerHost
  onDhtPort(listener: (node: Endpoint) => void): () => void
  /** Closes every connection. Idempotent. */
  close(): Promise<void>
}

const DEFAULT_MAX_SIZE = 10 * 1024 * 1024

/**
 * BEP-9 metadata from one peer over @bbmesh/wire: connect, extended handshake, ut_metadata
 * transfer, hash check (v1 SHA-1 or v2 SHA-256). Failures become FetchError reasons; the peer's
 * PORT message (BEP 5) is passed on for directed sampling.
 */
export function createWireFetcher(opts: WireFetcherOptions = {}): WireFetcher {
  const host = new PeerHost({ ...opts.host, ...(opts.dhtPort !== undefined && { dhtPort: opts.dhtPort }) })
  host.registry.register(createMetadataExtension())
  const maxSize = opts.maxSize ?? DEFAULT_MAX_SIZE
  const portListeners = new Set<(n: Endpoint) => void>()

  async function fetch(infohash: Uint8Array, peer: Endpoint, signal: AbortSignal): Promise<Uint8Array> {
    const target = parseInfoHash(infohash)
    let conn: PeerConnection
    try {
      conn = await host.connect(peer, target.handshakeHash, { signal })
    } catch (err) {
      throw toFetchError(err, signal)
    }
    conn.on('dht-port', (port) => {
      if (Number.isInteger(port) && port > 0 && port < 65536)
        for (const l of portListeners) l({ host: peer.host, port })
    })
    try {
      return await guarded(conn, signal, async () => {
        const hs = conn.peerExtendedHandshake ?? (await extendedHandshake(conn))
        if (!hs.extensions.get(metadataProtocol.name))
          throw new FetchError('no-metadata', 'peer does not support ut_metadata')
        const size = hs.metadataSize
        if (size === undefined || size <= 0) throw new FetchError('no-metadata', 'peer has no metadata')
        if (size > maxSize) throw new FetchError('too-large', `metadata_size ${size} over ${maxSize}`)
        const ut = conn.extension<MetadataPeer>(metadataProtocol.name)
        if (ut === undefined) throw new FetchError('other', 'ut_metadata not registered')
        const info = await ut.collect(size)
        if (verifyInfo(target, info) === undefined)
          throw new FetchError('bad-metadata', 'metadata does not match the infohash')
        return info
      })
    } catch (err) {
      throw toFetchError(err, signal)
    } finally {
      conn.close('local')
    }
  }

  return {
    host,
    fetch,
    onDhtPort(listener) {
      portListeners.add(listener)
      return () => portListeners.delete(listener)
    },
    close: () => host.close(),
  }
}

function extendedHandshake(conn: PeerConnection): Promise<ExtendedHandshake> {
  return new Promise((resolve) => conn.once('extended-handshake', resolve))
}

/** Runs `fn`, failing as soon as the signal aborts or the connection closes. */
function guarded<T>(conn: PeerConnection, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    const onClose = (c: { reason: string; detail?: string }): void =>
      reject(
        new FetchError('no-metadata', `connection closed: ${c.reason}${c.detail ? ` (${c.detail})` : ''}`),
      )
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

function toFetchError(err: unknown, signal: AbortSignal): FetchError {
  if (err instanceof FetchError) return err
  if (signal.aborted) {
    const r: unknown = signal.reason
    return r instanceof FetchError ? r : new FetchError('aborted', 'aborted', { cause: err })
  }
  if (err instanceof TimeoutError) return new FetchError('timeout', err.message, { cause: err })
  if (err instanceof DialError || err instanceof ConnectionLimitError)
    return new FetchError('connect-failed', err.message, { cause: err })
  return new FetchError('other', err instanceof Error ? err.message : String(err), { cause: err })
}
