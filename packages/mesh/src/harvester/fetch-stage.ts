import type { TorrentInput } from '@bbmesh/index'
import type { Clock } from '../clock.js'
import { FETCH_FAILURE_REASONS, FetchError, type FetchFailureReason } from '../errors.js'
import type { Random } from '../random.js'
import { retry, type BackoffOptions } from '../pipeline/backoff.js'
import type { ConcurrencyLimiter } from '../pipeline/concurrency-limiter.js'
import { sharedAbortController, withDeadline } from '../pipeline/deadline.js'
import type { FailureCache } from '../pipeline/failure-cache.js'
import { RateMeter } from '../pipeline/rate-meter.js'
import type { Candidate, Triage } from '../pipeline/triage.js'
import { dedupe, reasonOf } from './fetch-outcome.js'
import { infoToTorrent } from './info-to-torrent.js'
import { endpointKey } from './node-book.js'
import type { Endpoint, HarvestDht, MetadataFetcher } from './types.js'

export interface FetchStageOptions {
  dht: HarvestDht
  fetcher: MetadataFetcher
  triage: Triage
  failures: FailureCache
  /** Per-peer (and global) caps on metadata connections. */
  limiter: ConcurrencyLimiter
  /** Hands a torrent to the persister; may wait for room, and must give up when `signal` aborts. */
  persist: (t: TorrentInput, signal: AbortSignal) => Promise<void>
  clock: Clock
  random: Random
  source: string
  /** Infohashes worked on at once (workers). */
  workers: number
  /** Peers tried per attempt, in the order the lookup returned them. */
  peersPerAttempt: number
  /** Attempts per infohash (lookup + fetch), with backoff between them. */
  attempts: number
  backoff: BackoffOptions
  lookupTimeoutMs: number
  peerTimeoutMs: number
  /** Peers already known for an infohash (hex), tried before any lookup. */
  hints?: (hex: string) => readonly Endpoint[]
  /**
   * DHT nodes whose BEP-51 sample listed the infohash (hex): they store its peers, so one get_peers
   * to them usually replaces a whole iterative lookup (about 35 queries on a 10,000-node network).
   */
  storers?: (hex: string) => readonly Endpoint[]
  /**
   * The verified info dict from a community member that holds it (the pool), asked once before any
   * lookup; undefined sends the infohash to the swarm as usual. Bounded by `lookupTimeoutMs`.
   */
  fromMembers?: (infohash: Uint8Array) => Promise<Uint8Array | undefined>
  /**
   * Told, once an infohash's metadata is persisted, how many distinct peers its lookups and hints
   * turned up (at least 1): the swarm was alive then. Not called for a member's relayed copy.
   */
  onAlive?: (infohash: Uint8Array, peers: number) => void
  /** Told how each infohash ended: fetched (true) or given up (false); not when stopped meanwhile. */
  onSettled?: (infohash: Uint8Array, ok: boolean) => void
}

export interface FetchStageCounters {
  started: number
  ok: number
  failed: Record<FetchFailureReason, number>
  retries: number
  lookups: number
  /** Fetches that needed no lookup: a peer we already knew had the metadata. */
  hintedOk: number
  /** Single get_peers queries to a node that sampled the infohash, and fetches they made possible. */
  storerQueries: number
  storerOk: number
  peersTried: number
  /** Info dicts a member relayed (verified), so no swarm fetch was needed. */
  relayed: number
  /** Fetched infohashes whose swarm was reported alive (onAlive). */
  alive: number
  active: number
  metadataPerSecond: number
}

const RETRYABLE = new Set<FetchFailureReason>([
  'no-peers',
  'timeout',
  'connect-failed',
  'no-metadata',
  'other',
])

/**
 * Stage 4: workers take the best candidate from triage, look its peers up (get_peers), and ask
 * them for the metadata one at a time under the per-peer cap, retrying with backoff. The verified
 * info dict goes to persist; a final failure goes to the failure cache with its reason.
 */
export class FetchStage {
  private readonly workers: Promise<void>[] = []
  private readonly abort = sharedAbortController()
  private active = 0
  private readonly rate: RateMeter
  private readonly c = {
    started: 0,
    ok: 0,
    retries: 0,
    lookups: 0,
    hintedOk: 0,
    storerQueries: 0,
    storerOk: 0,
    peersTried: 0,
    relayed: 0,
    alive: 0,
  }
  private readonly failed = Object.fromEntries(FETCH_FAILURE_REASONS.map((r) => [r, 0])) as Record<
    FetchFailureReason,
    number
  >

  constructor(private readonly opts: FetchStageOptions) {
    this.rate = new RateMeter(opts.clock)
  }

  start(): void {
    if (this.workers.length > 0) return
    for (let i = 0; i < this.opts.workers; i++) this.workers.push(this.work())
  }

  /** Aborts fetches in flight (they are released, not marked failed) and waits for the workers. */
  async stop(): Promise<void> {
    this.abort.abort(new FetchError('aborted', 'harvester stopped'))
    await Promise.all(this.workers)
  }

  counters(): FetchStageCounters {
    return {
      ...this.c,
      failed: { ...this.failed },
      active: this.active,
      metadataPerSecond: this.rate.perSecond(),
    }
  }

  private async work(): Promise<void> {
    for (;;) {
      const cand = await this.opts.triage.next()
      if (cand === undefined || this.abort.signal.aborted) {
        if (cand !== undefined) this.opts.triage.release(cand.infohash)
        return
      }
      this.active += 1
      try {
        await this.process(cand)
      } finally {
        this.active -= 1
      }
    }
  }

  private async process(cand: Candidate): Promise<void> {
    const { clock, random } = this.opts
    this.c.started += 1
    // Distinct peers any attempt learned of: the swarm's size as far as this fetch saw it.
    const found = new Set<string>()
    try {
      const torrent =
        (await this.fromMembers(cand)) ??
        (await retry(() => this.attempt(cand, found), {
          attempts: this.opts.attempts,
          backoff: this.opts.backoff,
          clock,
          random,
          signal: this.abort.signal,
          shouldRetry: (err) => RETRYABLE.has(reasonOf(err)),
          onRetry: () => (this.c.retries += 1),
        }))
      await this.opts.persist(torrent, this.abort.signal)
      if (found.size > 0 && this.opts.onAlive !== undefined) {
        this.c.alive += 1
        this.opts.onAlive(cand.infohash, found.size)
      }
      this.c.ok += 1
      this.rate.mark()
      this.opts.failures.delete(cand.hex)
      this.opts.triage.settle(cand.infohash)
      this.opts.onSettled?.(cand.infohash, true)
    } catch (err) {
      const reason = this.abort.signal.aborted ? 'aborted' : reasonOf(err)
      this.failed[reason] += 1
      if (reason !== 'aborted') this.opts.failures.record(cand.hex, reason)
      this.opts.triage.release(cand.infohash)
      if (reason !== 'aborted') this.opts.onSettled?.(cand.infohash, false)
    }
  }

  /** A member's copy, when the pool has one: undefined on any failure (the swarm is tried then). */
  private async fromMembers(cand: Candidate): Promise<TorrentInput | undefined> {
    const ask = this.opts.fromMembers
    if (ask === undefined) return undefined
    try {
      const raw = await withDeadline(
        this.opts.clock,
        this.opts.lookupTimeoutMs,
        this.abort.signal,
        () => new FetchError('timeout', 'no member relayed the metadata in time'),
        () => ask(cand.infohash),
      )
      if (raw === undefined) return undefined
      const t = infoToTorrent(raw, cand.infohash, this.opts.source, new Date(this.opts.clock.now()))
      this.c.relayed += 1
      return t
    } catch (err) {
      if (this.abort.signal.aborted) throw err
      return undefined
    }
  }

  /**
   * Peers we already know (announcers of observed announce_peer queries, including any that
   * arrived since the last attempt) first; then the peers stored by the nodes that sampled the
   * infohash; then one lookup and its peers in turn until one yields the metadata.
   */
  private async attempt(cand: Candidate, found: Set<string>): Promise<TorrentInput> {
    const tried = new Set<string>()
    // Built only if every peer fails: an Error captures a stack, and most attempts succeed.
    let last: unknown
    const hinted = this.opts.hints?.(cand.hex) ?? []
    for (const p of hinted) found.add(endpointKey(p))
    for (const peer of hinted.slice(0, this.opts.peersPerAttempt)) {
      tried.add(endpointKey(peer))
      try {
        const t = await this.fromPeer(cand.infohash, peer)
        this.c.hintedOk += 1
        return t
      } catch (err) {
        if (this.abort.signal.aborted) throw err
        last = err
      }
    }
    const stored = await this.fromStorers(cand, tried, found)
    if (stored.torrent !== undefined) return stored.torrent
    if (stored.error !== undefined) last = stored.error
    this.c.lookups += 1
    const peers = await withDeadline(
      this.opts.clock,
      this.opts.lookupTimeoutMs,
      this.abort.signal,
      () => new FetchError('no-peers', 'peer lookup timed out'),
      (signal) => this.opts.dht.getPeers(cand.infohash, signal),
    )
    for (const p of peers) found.add(endpointKey(p))
    const fresh = dedupe(peers).filter((p) => !tried.has(endpointKey(p)))
    if (fresh.length === 0 && tried.size === 0) throw new FetchError('no-peers')
    for (const peer of fresh.slice(0, this.opts.peersPerAttempt)) {
      this.abort.signal.throwIfAborted()
      try {
        return await this.fromPeer(cand.infohash, peer)
      } catch (err) {
        // Whatever one peer did wrong (bad pieces, too large, timeout), the next may do right.
        if (this.abort.signal.aborted) throw err
        last = err
      }
    }
    throw last ?? new FetchError('no-peers')
  }

  /** Asks each node that sampled the infohash for its peers, and tries those not tried yet. */
  private async fromStorers(
    cand: Candidate,
    tried: Set<string>,
    found: Set<string>,
  ): Promise<{ torrent?: TorrentInput; error?: unknown }> {
    const ask = this.opts.dht.getPeersFrom?.bind(this.opts.dht)
    const nodes = ask === undefined ? [] : (this.opts.storers?.(cand.hex) ?? [])
    let error: unknown
    for (const node of nodes) {
      this.c.storerQueries += 1
      let peers: Endpoint[]
      try {
        peers = await withDeadline(
          this.opts.clock,
          this.opts.peerTimeoutMs,
          this.abort.signal,
          () => new FetchError('no-peers', 'the sampled node did not answer get_peers'),
          () => ask!(node, cand.infohash),
        )
      } catch (err) {
        if (this.abort.signal.aborted) throw err
        continue
      }
      for (const p of peers) found.add(endpointKey(p))
      for (const peer of dedupe(peers).slice(0, this.opts.peersPerAttempt)) {
        const key = endpointKey(peer)
        if (tried.has(key)) continue
        tried.add(key)
        this.abort.signal.throwIfAborted()
        try {
          const torrent = await this.fromPeer(cand.infohash, peer)
          this.c.storerOk += 1
          return { torrent }
        } catch (err) {
          if (this.abort.signal.aborted) throw err
          error = err
        }
      }
    }
    return error === undefined ? {} : { error }
  }

  /** The metadata from one peer, checked against the infohash and parsed (else bad-metadata). */
  private async fromPeer(infohash: Uint8Array, peer: Endpoint): Promise<TorrentInput> {
    const release = await this.opts.limiter.acquire(endpointKey(peer), this.abort.signal)
    this.c.peersTried += 1
    try {
      const raw = await withDeadline(
        this.opts.clock,
        this.opts.peerTimeoutMs,
        this.abort.signal,
        () => new FetchError('timeout', `no metadata from ${endpointKey(peer)} in time`),
        (signal) => this.opts.fetcher.fetch(infohash, peer, signal),
      )
      return infoToTorrent(raw, infohash, this.opts.source, new Date(this.opts.clock.now()))
    } finally {
      release()
    }
  }
}

export { reasonOf } from './fetch-outcome.js'
