import type { SightingInput, TorrentInput } from '@bbmesh/index'
import { systemClock } from '../clock.js'
import { ClosedError } from '../errors.js'
import { toHex } from '../hex.js'
import { BatchedPersister } from '../pipeline/batched-persister.js'
import { BoundedQueue } from '../pipeline/bounded-queue.js'
import { ConcurrencyLimiter } from '../pipeline/concurrency-limiter.js'
import { sharedAbortController } from '../pipeline/deadline.js'
import { FailureCache } from '../pipeline/failure-cache.js'
import { RateMeter } from '../pipeline/rate-meter.js'
import { Triage } from '../pipeline/triage.js'
import { HARVESTER_DEFAULTS } from './defaults.js'
import { livenessWriter } from './liveness.js'
import { FetchStage } from './fetch-stage.js'
import type { Harvester, HarvesterOptions, HarvesterStats, Sighting } from './harvester-api.js'
import { NodeBook, endpointKey } from './node-book.js'
import { PeerHints } from './peer-hints.js'
import { resumePendingSightings } from './resume.js'
import { Sampler } from './sampler.js'
import type { DhtContact, Observation, OfferHints, PendingInfohash } from './types.js'

export type { Harvester, HarvesterOptions, HarvesterStats } from './harvester-api.js'

/**
 * The harvester pipeline: node discovery → infohash sources (observation, BEP-51 sampling,
 * directed sampling of PORT-revealed nodes) → triage → get_peers + BEP-9 fetch → batched persist.
 * Stages are joined by bounded queues and report counters through stats().
 */
export function createHarvester(options: HarvesterOptions): Harvester {
  const o = { ...HARVESTER_DEFAULTS, ...options }
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  const index = options.index
  let persistErrors = 0
  const onError = (err: unknown): void => {
    persistErrors += 1
    options.onError?.(err)
  }

  const book = new NodeBook({
    maxNodes: o.maxNodes,
    resample: options.resample ?? 'once',
    minIntervalS: o.minSampleIntervalS,
    maxIntervalS: o.maxSampleIntervalS,
    maxFailures: o.maxSampleFailures,
    unresponsive: new FailureCache({
      clock,
      maxEntries: o.maxNodes * 5,
      baseTtlMs: o.unresponsiveNodeTtlMs,
      maxTtlMs: o.unresponsiveNodeTtlMs * 24,
    }),
  })
  const queue = new BoundedQueue<Sighting>({ capacity: o.sightingQueue })
  const failures = new FailureCache({
    clock,
    maxEntries: o.failureCacheEntries,
    baseTtlMs: o.failureBaseTtlMs,
    maxTtlMs: o.failureMaxTtlMs,
  })
  const triage = new Triage({
    known: index,
    failures,
    maxPending: o.maxPending,
    bloomItems: o.bloomItems,
    bloomFalsePositiveRate: o.bloomFalsePositiveRate,
  })
  const limiter = new ConcurrencyLimiter({ global: o.fetchWorkers, perKey: o.perPeerConnections })
  const torrents = new BatchedPersister<TorrentInput>({
    write: async (batch) => {
      await index.ingest(batch)
      options.onIngested?.(batch)
    },
    clock,
    maxItems: o.persistBatch,
    maxDelayMs: o.persistFlushMs,
    onError,
  })
  const sightingWrites = new BatchedPersister<SightingInput>({
    write: async (batch) => void (await index.recordSightings(batch)),
    clock,
    maxItems: o.persistBatch * 5,
    maxDelayMs: o.persistFlushMs,
    onError,
  })
  const liveness = livenessWriter({
    index,
    torrents,
    clock,
    // Well under the index's MAX_LIVENESS_BATCH (5,000).
    maxItems: o.persistBatch * 5,
    maxDelayMs: o.persistFlushMs,
    onError,
  })
  const sampler = new Sampler({
    dht: options.dht,
    book,
    clock,
    random,
    onSample: (infohash, node) =>
      void offer(
        { infohash, via: 'sample', from: node.key, nodeKey: node.key },
        { storer: { host: node.host, port: node.port } },
      ),
    ...(options.pool && { handOver: (node: DhtContact) => options.pool!.forwardNode(node) }),
    ...(options.pool?.walkTarget && { walkTarget: () => options.pool!.walkTarget!(random) }),
    ...(options.pool?.crawlers && { walkers: () => options.pool!.crawlers!() }),
    ...(options.handOverRecheckMs !== undefined && { handOverRecheckMs: options.handOverRecheckMs }),
    discoveryIntervalMs: o.discoveryIntervalMs,
    walkTimeoutMs: o.walkTimeoutMs,
    samplesPerSecond: o.samplesPerSecond,
    sampleConcurrency: o.sampleConcurrency,
    sampleRetryMs: o.sampleRetryMs,
    timeoutMs: o.sampleTimeoutMs,
  })
  const fetch = new FetchStage({
    dht: options.dht,
    fetcher: options.fetcher,
    triage,
    failures,
    limiter,
    persist: async (t, signal) => {
      await torrents.add(t, signal)
      options.onTorrent?.(t)
    },
    clock,
    random,
    source: o.source,
    workers: o.fetchWorkers,
    peersPerAttempt: o.peersPerAttempt,
    attempts: o.fetchAttempts,
    backoff: { baseMs: o.backoffBaseMs, maxMs: o.backoffMaxMs },
    lookupTimeoutMs: o.lookupTimeoutMs,
    peerTimeoutMs: o.peerTimeoutMs,
    hints: (hex) => hints.take(hex),
    storers: (hex) => storers.take(hex),
    ...(options.pool && { fromMembers: (ih: Uint8Array) => options.pool!.fetch(ih) }),
    ...(liveness && {
      onAlive: (infohash: Uint8Array, peers: number) =>
        void liveness
          .add({ infohash, peers, at: new Date(clock.now()) }, halt.signal)
          // Only at stop with a failing store; liveness is re-learned on the next fetch or lookup.
          .catch(() => undefined),
    }),
    ...(options.pool?.settled && {
      onSettled: (ih: Uint8Array, ok: boolean) => options.pool!.settled!(ih, ok),
    }),
  })

  const hints = new PeerHints(o.maxPending)
  // Two of the nodes whose samples listed an infohash: asked directly before a lookup.
  const storers = new PeerHints(o.maxPending, 2)
  const observed = { get_peers: 0, announce: 0, invalid: 0 }
  let unrecorded = 0
  let forwarded = 0
  const newRate = new RateMeter(clock)
  const unsubscribe: (() => void)[] = []
  let state: 'idle' | 'running' | 'stopped' = 'idle'
  let triageLoop: Promise<void> | undefined
  let resumeLoop: Promise<void> | undefined
  let stopping: Promise<void> | undefined
  // Aborted when stop() begins: a sighting still waiting for room in a full (failing) persister is
  // given up rather than holding stop() forever. Sightings that fit are still recorded.
  const halt = sharedAbortController()

  function offer(s: Sighting, h: OfferHints = {}): boolean {
    if (s.infohash.length !== 20 && s.infohash.length !== 32) {
      observed.invalid += 1
      return false
    }
    if (options.pool && h.pooled !== true && s.resumed !== true && s.via !== 'gossip') {
      const { storer, peer } = h
      const handed = options.pool.forward({
        infohash: s.infohash,
        via: s.via,
        ...(storer && { storer }),
        ...(peer && { peer }),
      })
      if (handed) {
        forwarded += 1
        return true
      }
    }
    if (h.peer !== undefined) hints.add(s.infohash, h.peer)
    if (!queue.offer(s)) return false
    if (h.storer !== undefined) storers.add(s.infohash, h.storer)
    return true
  }

  function onObservation(obs: Observation): void {
    observed[obs.via] += 1
    // The sender queried us from its DHT port, so it is a node worth sampling too.
    book.add({ host: obs.from.host, port: obs.from.port, ...(obs.nodeId && { id: obs.nodeId }) }, clock.now())
    offer(
      { infohash: obs.infohash, via: obs.via, from: endpointKey(obs.from) },
      obs.peer && { peer: obs.peer },
    )
  }

  // Sightings of an earlier run that never got metadata: already recorded, and not new to us.
  let resumed = 0
  const resume = async (): Promise<void> => {
    const put = async (p: PendingInfohash): Promise<boolean> => {
      const s: Sighting = { infohash: p.infohash, via: p.via, from: p.fromNode ?? 'index', resumed: true }
      if (!(await queue.put(s))) return false
      resumed += 1
      return true
    }
    await resumePendingSightings(index, o.resumePending, put, halt.signal, onError)
  }

  async function runTriage(): Promise<void> {
    for await (const s of queue) {
      if (options.recordSightings !== false && s.resumed !== true) {
        await sightingWrites
          .add({ infohash: s.infohash, via: s.via, fromNode: s.from, at: new Date(clock.now()) }, halt.signal)
          .catch(() => (unrecorded += 1))
      }
      let verdict
      try {
        verdict = await triage.offer(s.infohash, s.background === true)
      } catch (err) {
        onError(err)
        continue
      }
      // Storers of an infohash that will not be fetched would only crowd out useful ones.
      if (verdict !== 'new' && verdict !== 'pending' && s.via === 'sample') storers.take(toHex(s.infohash))
      if (verdict !== 'new' || s.resumed === true) continue
      newRate.mark()
      if (s.nodeKey !== undefined) book.credit(s.nodeKey)
    }
  }

  return {
    start() {
      if (state === 'running') return
      if (state === 'stopped') throw new ClosedError('this harvester was stopped; create a new one')
      state = 'running'
      unsubscribe.push(options.dht.observe(onObservation))
      const onPort = options.fetcher.onDhtPort?.((node) => book.add(node, clock.now(), true))
      if (onPort !== undefined) unsubscribe.push(onPort)
      triageLoop = runTriage()
      resumeLoop = resume()
      sampler.start()
      fetch.start()
    },

    stop() {
      if (stopping !== undefined) return stopping
      const wasRunning = state === 'running'
      state = 'stopped'
      stopping = (async () => {
        halt.abort(new ClosedError('harvester stopping'))
        for (const u of unsubscribe.splice(0)) u()
        await sampler.stop()
        // Sightings already queued are still triaged and recorded; then no candidate is handed out.
        queue.close()
        if (wasRunning) await Promise.all([triageLoop, resumeLoop])
        triage.close()
        await fetch.stop()
        limiter.close()
        const results = await Promise.allSettled([torrents.stop(), sightingWrites.stop(), liveness?.stop()])
        const failed = results.find((r) => r.status === 'rejected')
        if (failed !== undefined) throw failed.reason
      })()
      return stopping
    },

    offer(infohash, via = 'gossip', from = 'local', h = {}) {
      if (state !== 'running') return false
      return offer(
        { infohash: new Uint8Array(infohash), via, from, ...(h.background && { background: true }) },
        h,
      )
    },

    addNodes(nodes) {
      sampler.addNodes(nodes)
    },

    stats(): HarvesterStats {
      const tc = triage.counters()
      return {
        running: state === 'running',
        nodes: book.counters(clock.now()),
        sampler: sampler.counters(),
        observed: { ...observed },
        sightings: {
          accepted: queue.counters().accepted,
          dropped: queue.counters().dropped,
          unrecorded,
          forwarded,
        },
        resumed,
        newInfohashes: newRate.count,
        newInfohashesPerSecond: newRate.perSecond(),
        triage: tc,
        fetch: fetch.counters(),
        failureCache: failures.counters(),
        peerSlots: limiter.counters(),
        persist: {
          torrents: torrents.counters(),
          sightings: sightingWrites.counters(),
          ...(liveness && { liveness: liveness.counters() }),
          errors: persistErrors,
        },
        queues: {
          sightings: queue.size,
          pending: tc.pending,
          inFlight: tc.inFlight,
          torrents: torrents.counters().buffered,
          sightingWrites: sightingWrites.counters().buffered,
        },
      }
    },
  }
}
