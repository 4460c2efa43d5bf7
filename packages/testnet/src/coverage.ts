// Coverage over time: which share of the announced infohashes each harvester, and all of them
// together, have sighted and hold metadata for; messages per discovered infohash; BEP 9 fetches
// per unique infohash (independent harvesters duplicate work: expect about K).
import { estimatePopulation, type EstimateMethod } from '@bbmesh/mesh'
import type { TestnetTorrent } from './content.js'
import { INFOHASH_BYTES } from './constants.js'

/** What the tracker reads from one harvester. Sets hold hex infohashes (20-byte keys, or 32-byte v2). */
export interface HarvesterProbe {
  readonly name: string
  sighted(): Iterable<string> | Promise<Iterable<string>>
  withMetadata(): Iterable<string> | Promise<Iterable<string>>
  /** DHT messages (queries) it has sent so far. */
  messagesSent?(): number
  /** BEP 9 fetch attempts so far (one per peer tried). */
  metadataFetches?(): number
}

export interface HarvesterCoverage {
  name: string
  /** Announced torrents sighted / with metadata. */
  sighted: number
  metadata: number
  coverage: number
  metadataCoverage: number
  /** Infohashes it reported that the testnet never announced (should stay 0 on a closed testnet). */
  unknown: number
  messagesSent: number
  metadataFetches: number
}

export interface CoverageSnapshot {
  event: 'stats'
  /** Milliseconds since the tracker started. */
  t: number
  announced: number
  /** The union: announced torrents any harvester sighted / holds metadata for. */
  sighted: number
  metadata: number
  coverage: number
  metadataCoverage: number
  harvesters: HarvesterCoverage[]
  /** Capture–recapture over the harvesters' sightings (K ≥ 2): what they would guess without the truth. */
  population: PopulationGuess | null
}

/** The DHT's infohash population as K harvesters estimate it, to hold against `announced`. */
export interface PopulationGuess {
  estimatedPopulation: number
  /** Union sighted / estimatedPopulation. */
  estimatedCoverage: number
  method: EstimateMethod
}

export interface CoverageSummary {
  event: 'summary'
  durationMs: number
  announced: number
  /** Union over the harvesters. */
  coverage: number
  metadataCoverage: number
  /** BEP 9 fetch attempts of all harvesters / announced torrents any of them holds metadata for. */
  fetchesPerInfohash: number | null
  /** DHT messages of all harvesters / announced torrents any of them sighted. */
  messagesPerInfohash: number | null
  /** First time (ms) the union reached 50/90/95% sighted and with metadata; null if never. */
  timeToCoverage: Record<'50' | '90' | '95', number | null>
  timeToMetadataCoverage: Record<'50' | '90' | '95', number | null>
  /** First time (ms) every harvester (the slowest) held metadata for 50/90/95%; null if never. */
  slowestTimeToMetadataCoverage: Record<'50' | '90' | '95', number | null>
  harvesters: HarvesterCoverage[]
  /** As of the last snapshot; null with one harvester or nothing sighted. */
  population: PopulationGuess | null
  /** The union's curve: one point per snapshot, with the population estimate as it stood then. */
  curve: {
    t: number
    coverage: number
    metadataCoverage: number
    /** The slowest harvester's metadata coverage. */
    slowestMetadataCoverage: number
    estimatedPopulation: number | null
  }[]
}

export interface CoverageTrackerOptions {
  /** Ground truth; a function when it grows (announces still running). */
  torrents: readonly TestnetTorrent[] | (() => readonly TestnetTorrent[])
  probes: readonly HarvesterProbe[]
  now?: () => number
}

const LEVELS = ['50', '90', '95'] as const

export class CoverageTracker {
  private readonly started: number
  private readonly now: () => number
  private readonly curve: CoverageSummary['curve'] = []
  private last: CoverageSnapshot | undefined
  private timer: NodeJS.Timeout | undefined
  private sampling: Promise<CoverageSnapshot> | undefined

  constructor(private readonly opts: CoverageTrackerOptions) {
    this.now = opts.now ?? Date.now
    this.started = this.now()
  }

  /** Reads every probe once and appends a point to the curve. Concurrent calls share one read. */
  sample(): Promise<CoverageSnapshot> {
    this.sampling ??= this.read().finally(() => (this.sampling = undefined))
    return this.sampling
  }

  /** Samples every `intervalMs` until stop(); `onSnapshot` sees each point. */
  start(intervalMs: number, onSnapshot?: (s: CoverageSnapshot) => void): void {
    if (this.timer) return
    this.timer = setInterval(() => {
      this.sample().then(onSnapshot, () => undefined)
    }, intervalMs)
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.sampling?.catch(() => undefined)
  }

  /** The summary as of the last snapshot (take a final sample() first). */
  summary(): CoverageSummary {
    const s = this.last
    const hs = s?.harvesters ?? []
    const fetches = hs.reduce((n, h) => n + h.metadataFetches, 0)
    const messages = hs.reduce((n, h) => n + h.messagesSent, 0)
    const announced = s?.announced ?? 0
    const unionMeta = s?.metadata ?? 0
    const unionSighted = s?.sighted ?? 0
    type Key = 'coverage' | 'metadataCoverage' | 'slowestMetadataCoverage'
    const first = (key: Key, level: number): number | null =>
      this.curve.find((p) => p[key] >= level)?.t ?? null
    const levels = (key: Key): Record<'50' | '90' | '95', number | null> =>
      Object.fromEntries(LEVELS.map((l) => [l, first(key, Number(l) / 100)])) as Record<
        '50' | '90' | '95',
        number | null
      >
    return {
      event: 'summary',
      durationMs: s?.t ?? 0,
      announced,
      coverage: s?.coverage ?? 0,
      metadataCoverage: s?.metadataCoverage ?? 0,
      fetchesPerInfohash: unionMeta > 0 ? round(fetches / unionMeta) : null,
      messagesPerInfohash: unionSighted > 0 ? round(messages / unionSighted) : null,
      timeToCoverage: levels('coverage'),
      timeToMetadataCoverage: levels('metadataCoverage'),
      slowestTimeToMetadataCoverage: levels('slowestMetadataCoverage'),
      harvesters: hs,
      population: s?.population ?? null,
      curve: [...this.curve],
    }
  }

  private async read(): Promise<CoverageSnapshot> {
    const truth = typeof this.opts.torrents === 'function' ? this.opts.torrents() : this.opts.torrents
    const alias = aliases(truth)
    // Each announced key any harvester sighted → how many sighted it: the union, and the incidence
    // counts the population estimate needs, in one pass.
    const sightedBy = new Map<string, number>()
    const unionMeta = new Set<string>()
    const harvesters: HarvesterCoverage[] = []
    const sightedSizes: number[] = []
    for (const p of this.opts.probes) {
      const rawMeta = [...(await p.withMetadata())]
      const meta = resolve(rawMeta, alias)
      // Holding metadata implies having sighted it.
      const seen = resolve([...(await p.sighted()), ...rawMeta], alias)
      for (const k of seen.known) sightedBy.set(k, (sightedBy.get(k) ?? 0) + 1)
      if (seen.known.size > 0) sightedSizes.push(seen.known.size)
      for (const k of meta.known) unionMeta.add(k)
      harvesters.push({
        name: p.name,
        sighted: seen.known.size,
        metadata: meta.known.size,
        coverage: share(seen.known.size, truth.length),
        metadataCoverage: share(meta.known.size, truth.length),
        unknown: seen.unknown,
        messagesSent: p.messagesSent?.() ?? 0,
        metadataFetches: p.metadataFetches?.() ?? 0,
      })
    }
    const snap: CoverageSnapshot = {
      event: 'stats',
      t: this.now() - this.started,
      announced: truth.length,
      sighted: sightedBy.size,
      metadata: unionMeta.size,
      coverage: share(sightedBy.size, truth.length),
      metadataCoverage: share(unionMeta.size, truth.length),
      harvesters,
      population: guess(sightedBy, sightedSizes),
    }
    this.curve.push({
      t: snap.t,
      coverage: snap.coverage,
      metadataCoverage: snap.metadataCoverage,
      slowestMetadataCoverage: snap.harvesters.length
        ? Math.min(...snap.harvesters.map((h) => h.metadataCoverage))
        : 0,
      estimatedPopulation: snap.population?.estimatedPopulation ?? null,
    })
    this.last = snap
    return snap
  }
}

/**
 * Only the announced infohashes each harvester sighted go in (the testnet's other keys, such as a
 * community's rendezvous hash, are not torrents); a real crawl would count every sighted key.
 */
function guess(sightedBy: Map<string, number>, sizes: readonly number[]): PopulationGuess | null {
  const e = estimatePopulation(sightedBy.values(), sizes.length, sizes)
  if (!e) return null
  return { estimatedPopulation: e.estimate, estimatedCoverage: round(e.coverage), method: e.method }
}

/** Every hex form a torrent may be reported under (v1, full v2, truncated v2) → its announced key. */
function aliases(truth: readonly TestnetTorrent[]): Map<string, string> {
  const m = new Map<string, string>()
  for (const t of truth) {
    m.set(t.infohash, t.infohash)
    if (t.infohashV1) m.set(t.infohashV1, t.infohash)
    if (t.infohashV2) {
      m.set(t.infohashV2, t.infohash)
      m.set(t.infohashV2.slice(0, INFOHASH_BYTES * 2), t.infohash)
    }
  }
  return m
}

function resolve(
  hexes: Iterable<string>,
  alias: Map<string, string>,
): { known: Set<string>; unknown: number } {
  const known = new Set<string>()
  const unknown = new Set<string>()
  for (const h of hexes) {
    const k = alias.get(h.toLowerCase())
    if (k === undefined) unknown.add(h.toLowerCase())
    else known.add(k)
  }
  return { known, unknown: unknown.size }
}

const share = (n: number, of: number): number => (of === 0 ? 0 : round(n / of))
const round = (x: number): number => Math.round(x * 10_000) / 10_000
