// runTestnet: a whole measured run, as `bbmesh testnet` and the bench do it: build the testnet,
// announce, start K independent harvesters, sample coverage every second, report a stats event
// every few seconds, stop at the deadline (or once every harvester holds everything), summarise.
import { join } from 'node:path'
import { startCommunity, type CommunitySummary, type TestnetCommunity } from './community.js'
import { CoverageTracker, type CoverageSnapshot, type CoverageSummary } from './coverage.js'
import { startHarvester, type TestnetHarvester } from './harvester.js'
import type { TestnetOptions } from './options.js'
import { createTestnet, type TestnetStats } from './testnet.js'
import { TestnetError } from './errors.js'
import { sleep } from './sleep.js'

export interface RunOptions extends TestnetOptions {
  /** Independent harvesters (default 1). */
  harvesters?: number
  /** DHT node ids per harvester (default 1). */
  harvesterNodeIds?: number
  /** Longest harvest, ms, after the testnet is up (default 60 s). */
  durationMs?: number
  /** Stop as soon as every harvester holds metadata for every announced torrent (default true). */
  stopWhenComplete?: boolean
  /** A stats event every this many ms (default 5 s). Coverage is sampled every second regardless. */
  statsIntervalMs?: number
  /**
   * Make the K harvesters members of one community: membership over the mesh and, unless `pool` is
   * false, a pooled crawl (partitioned sampling, sightings to their owner, metadata by relay).
   */
  community?: boolean
  /** With `community`: pool the crawl (default true); false gives membership only. */
  pool?: boolean
  /** With a pooled community: 'all' (default) every member takes every torrent, 'own' only its own. */
  replicate?: 'all' | 'own'
  /** Put each harvester's index in a file here (h0.db, …); default in memory. */
  indexDir?: string
  signal?: AbortSignal
  onEvent?: (e: RunEvent) => void
}

export interface ReadyEvent {
  event: 'ready'
  /** Time to build the network and announce everything, ms. */
  buildMs: number
  testnet: TestnetStats
}

export type StatsEvent = CoverageSnapshot & { testnet: TestnetStats }

export interface RunSummary extends CoverageSummary {
  seed: number
  buildMs: number
  testnet: TestnetStats
  /** With `community`: membership convergence and gossip cost. */
  community?: CommunitySummary
}

export type RunEvent = ReadyEvent | StatsEvent | RunSummary

const SAMPLE_MS = 1_000
/** Longest wait for K pooling members to link before they crawl anyway. */
const POOL_WAIT_MS = 15_000

export async function runTestnet(opts: RunOptions = {}): Promise<RunSummary> {
  const k = opts.harvesters ?? 1
  if (!Number.isSafeInteger(k) || k < 1)
    throw new TestnetError('ERR_TESTNET_OPTIONS', 'harvesters must be >= 1')
  const durationMs = opts.durationMs ?? 60_000
  const pooled = opts.community === true && opts.pool !== false
  const statsMs = opts.statsIntervalMs ?? 5_000
  const emit = opts.onEvent ?? (() => undefined)
  const t0 = Date.now()
  const tn = await createTestnet({ ...opts, announce: true })
  const harvesters: TestnetHarvester[] = []
  let community: TestnetCommunity | undefined
  try {
    const buildMs = Date.now() - t0
    emit({ event: 'ready', buildMs, testnet: tn.stats() })
    // The clock starts before the first harvester joins, and all K start together, so that
    // time-to-coverage is comparable across K.
    const probes: TestnetHarvester['probe'][] = []
    const tracker = new CoverageTracker({ torrents: () => tn.announced(), probes })
    const started = await Promise.allSettled(
      Array.from({ length: k }, (_, i) =>
        startHarvester({
          name: `h${i}`,
          bootstrap: tn.bootstrap,
          seed: (opts.seed ?? 1) * 1000 + i,
          nodeIds: opts.harvesterNodeIds ?? 1,
          ...(pooled && {
            pool: opts.replicate === undefined ? {} : { replicate: opts.replicate },
            autoStart: false,
          }),
          ...(opts.indexDir !== undefined && { indexPath: join(opts.indexDir, `h${i}.db`) }),
        }),
      ),
    )
    for (const r of started) if (r.status === 'fulfilled') harvesters.push(r.value)
    const failed = started.find((r) => r.status === 'rejected')
    if (failed) throw failed.reason
    probes.push(...harvesters.map((h) => h.probe))
    if (opts.community === true)
      community = await startCommunity(
        harvesters.map((h) => ({
          dht: h.nodes[0]!,
          ...(h.pool && { pool: h.pool }),
          ...(h.relay && { relay: h.relay }),
        })),
      )
    if (pooled) {
      // Members crawl once they pool with each other (or alone after the wait), as `crawl --community`
      // does: what one fetches before it is linked, the others would fetch again.
      const linkedBy = Date.now() + POOL_WAIT_MS
      while (Date.now() < linkedBy && !harvesters.every((h) => (h.pool?.members ?? 0) >= k - 1))
        await sleep(100, opts.signal)
      for (const h of harvesters) h.harvester.start()
    }
    const end = Date.now() + durationMs
    let nextStats = Date.now() + statsMs
    for (;;) {
      const snap = await tracker.sample()
      community?.sample()
      const complete =
        snap.harvesters.every((h) => h.metadataCoverage >= 1) &&
        (community === undefined || community.summary().convergedMs !== null)
      if ((opts.stopWhenComplete !== false && complete) || Date.now() >= end || opts.signal?.aborted) break
      if (Date.now() >= nextStats) {
        emit({ ...snap, testnet: tn.stats() })
        nextStats += statsMs
      }
      await sleep(Math.min(SAMPLE_MS, Math.max(0, end - Date.now())), opts.signal)
    }
    // Flush every harvester to its index, then take the last reading.
    await Promise.all(harvesters.map((h) => h.harvester.stop()))
    await tracker.sample()
    const summary: RunSummary = {
      ...tracker.summary(),
      seed: opts.seed ?? 1,
      buildMs,
      testnet: tn.stats(),
      ...(community !== undefined && { community: community.summary() }),
    }
    emit(summary)
    return summary
  } finally {
    await community?.close()
    await Promise.all(harvesters.map((h) => h.stop()))
    await tn.destroy()
  }
}
