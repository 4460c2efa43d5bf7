// BEP-9 serve: accept peers for any infohash we hold metadata for (even with none of its data) and
// answer ut_metadata requests. The seed of the metadata-cache relay.
//
// The lookup may be asynchronous (a database). Each inbound handshake looks its infohash up once, at most
// `maxConcurrentLookups` at a time; the info dict found is pinned for as long as connections use it, so
// the extended handshake (`metadata_size`) and every piece request are answered synchronously from it.
import type { AddressInfo } from 'node:net'
import type { ConnectionLimits, PeerConnection } from '../connection.js'
import { DEFAULT_MAX_CONCURRENT_LOOKUPS, DEFAULT_MAX_QUEUED_LOOKUPS } from '../constants.js'
import type { WireCounters } from '../counters.js'
import { MetadataError } from '../errors.js'
import { PeerHost } from '../host.js'
import { createMetadataExtension } from './extension.js'
import { parseInfoHash, verifyInfo } from './infohash.js'
import type { MetadataLookup } from './store.js'

/** A lookup that may answer later: raw info dict for a 20-byte handshake hash, or undefined. */
export interface AsyncMetadataLookup {
  get(infoHash: Uint8Array): Uint8Array | undefined | Promise<Uint8Array | undefined>
}

export interface MetadataServerOptions {
  /** Synchronous (MetadataStore) or asynchronous; an asynchronous answer is verified against the hash. */
  lookup: MetadataLookup | AsyncMetadataLookup
  limits?: Partial<ConnectionLimits>
  maxConnections?: number
  maxConnectionsPerIp?: number
  counters?: WireCounters
  dhtPort?: number
  /** Asynchronous lookups running at once (default 16). */
  maxConcurrentLookups?: number
  /** Lookups waiting for a slot (default 256); beyond that a connection closes as `lookup-failed`. */
  maxQueuedLookups?: number
}

interface Pin {
  info: Uint8Array
  refs: number
}

export class MetadataServer {
  readonly host: PeerHost
  private readonly lookup: MetadataLookup | AsyncMetadataLookup
  private readonly pinned = new Map<string, Pin>()
  private readonly inflight = new Map<string, Promise<Uint8Array | undefined>>()
  private readonly waiting: (() => void)[] = []
  private running = 0
  private readonly maxRunning: number
  private readonly maxWaiting: number

  constructor(opts: MetadataServerOptions) {
    this.lookup = opts.lookup
    this.maxRunning = Math.max(1, opts.maxConcurrentLookups ?? DEFAULT_MAX_CONCURRENT_LOOKUPS)
    this.maxWaiting = Math.max(0, opts.maxQueuedLookups ?? DEFAULT_MAX_QUEUED_LOOKUPS)
    this.host = new PeerHost({
      acceptInfoHash: (ih, conn) => this.accept(ih, conn),
      metadataSize: (ih) => this.pinnedInfo(ih)?.length,
      ...(opts.limits !== undefined && { limits: opts.limits }),
      ...(opts.maxConnections !== undefined && { maxConnections: opts.maxConnections }),
      ...(opts.maxConnectionsPerIp !== undefined && { maxConnectionsPerIp: opts.maxConnectionsPerIp }),
      ...(opts.counters !== undefined && { counters: opts.counters }),
      ...(opts.dhtPort !== undefined && { dhtPort: opts.dhtPort }),
    })
    this.host.registry.register(createMetadataExtension({ lookup: { get: (ih) => this.pinnedInfo(ih) } }))
  }

  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return this.host.listen(port, host)
  }

  get counters(): WireCounters {
    return this.host.counters
  }

  /** Asynchronous lookups running now and waiting for a slot. */
  get pendingLookups(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length }
  }

  close(): Promise<void> {
    return this.host.close()
  }

  private pinnedInfo(ih: Uint8Array): Uint8Array | undefined {
    return this.pinned.get(Buffer.from(ih).toString('hex'))?.info
  }

  private accept(ih: Uint8Array, conn: PeerConnection): boolean | Promise<boolean> {
    const key = Buffer.from(ih).toString('hex')
    if (this.pinned.has(key)) return this.pin(key, undefined, conn)
    const finish = (info: Uint8Array | undefined): boolean =>
      info !== undefined && !conn.closed && this.pin(key, info, conn)
    const shared = this.inflight.get(key)
    if (shared) return shared.then(finish)
    if (this.running < this.maxRunning) {
      let answer
      try {
        answer = this.lookup.get(ih)
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new MetadataError(String(err)))
      }
      // A synchronous lookup (MetadataStore) never takes a slot.
      if (!(answer instanceof Promise)) return answer !== undefined && this.pin(key, answer, conn)
      const started = answer
      return this.share(
        key,
        this.inSlot(async () => this.verified(ih, await started)),
      ).then(finish)
    }
    if (this.waiting.length >= this.maxWaiting)
      return Promise.reject(new MetadataError('metadata lookup queue is full'))
    return this.share(
      key,
      this.inSlot(async () => this.verified(ih, await this.lookup.get(ih))),
    ).then(finish)
  }

  /** Pins `info` (or the entry already pinned) for the lifetime of `conn`. */
  private pin(key: string, info: Uint8Array | undefined, conn: PeerConnection): boolean {
    let p = this.pinned.get(key)
    if (!p) {
      if (!info) return false
      p = { info, refs: 0 }
      this.pinned.set(key, p)
    }
    p.refs++
    const entry = p
    conn.once('close', () => {
      if (--entry.refs === 0 && this.pinned.get(key) === entry) this.pinned.delete(key)
    })
    return true
  }

  /** Concurrent connections for one infohash share its lookup. */
  private share(key: string, p: Promise<Uint8Array | undefined>): Promise<Uint8Array | undefined> {
    this.inflight.set(key, p)
    const done = (): void => {
      if (this.inflight.get(key) === p) this.inflight.delete(key)
    }
    p.then(done, done)
    return p
  }

  /** Runs `fn` in one of `maxConcurrentLookups` slots; a finished lookup hands its slot to the next. */
  private async inSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxRunning) await new Promise<void>((r) => this.waiting.push(r))
    else this.running++
    try {
      return await fn()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.running--
    }
  }

  private verified(ih: Uint8Array, info: unknown): Uint8Array | undefined {
    if (info === undefined) return undefined
    if (!(info instanceof Uint8Array)) throw new MetadataError('lookup returned something other than bytes')
    if (!verifyInfo(parseInfoHash(ih), info))
      throw new MetadataError('lookup returned an info dict that does not hash to the infohash')
    return info
  }
}
