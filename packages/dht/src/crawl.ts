// Keyspace-region crawl: find the nodes whose ids fall in a region (iterative find_node lookups
// toward random targets inside it) and BEP 51-sample each one, honouring each node's interval.
// Yields infohashes not seen before, as an async iterator with stop conditions.
import { decodeNodes } from './compact.js'
import type { NodeInfo } from './compact.js'
import { isBytes } from './bencode.js'
import { ID_LENGTH } from './constants.js'
import type { DhtNode } from './node.js'
import { inRegion, randomIdIn } from './region.js'
import type { Region } from './region.js'
import type { RandomSource } from './rng.js'
import type { PeerAddress } from './transport/types.js'

export interface CrawlOptions extends Region {
  signal?: AbortSignal
  /** Stop after this many distinct infohashes. */
  maxInfohashes?: number
  /** Stop after this long. */
  maxDurationMs?: number
  /** Stop after this many lookups. */
  maxLookups?: number
  /** Stop after this many rounds in a row that found no new node and no new infohash. Default 5. */
  idleRounds?: number
  /** Samples in flight at once. Default 8. */
  concurrency?: number
  /** Never re-sample a node sooner than this, even when it says interval=0. Default 1000 ms. */
  minIntervalMs?: number
  /**
   * Opt-in policy: while a node keeps yielding new infohashes, re-sample it after
   * `eagerResampleMs` instead of its full interval. Off by default (the polite choice).
   */
  eagerResampleMs?: number
  random?: RandomSource
  now?: () => number
}

export interface CrawlHit {
  infoHash: Buffer
  /** The node whose sample contained it. */
  from: PeerAddress
  nodeId: Buffer
}

export interface CrawlStats {
  lookups: number
  nodesInRegion: number
  samplesSent: number
  samplesFailed: number
  infohashes: number
}

interface Known {
  node: NodeInfo
  nextAt: number
  failures: number
}

/** Crawls one region; read `stats` from the returned object at any time. */
export function crawlRegion(
  dht: DhtNode,
  opts: CrawlOptions,
): AsyncGenerator<CrawlHit> & { stats: CrawlStats } {
  const stats: CrawlStats = { lookups: 0, nodesInRegion: 0, samplesSent: 0, samplesFailed: 0, infohashes: 0 }
  const gen = run(dht, opts, stats) as AsyncGenerator<CrawlHit> & { stats: CrawlStats }
  gen.stats = stats
  return gen
}

async function* run(dht: DhtNode, o: CrawlOptions, stats: CrawlStats): AsyncGenerator<CrawlHit> {
  const now = o.now ?? Date.now
  const start = now()
  const known = new Map<string, Known>()
  const seen = new Set<string>()
  const maxIh = o.maxInfohashes ?? Infinity
  const concurrency = o.concurrency ?? 8
  const minInterval = o.minIntervalMs ?? 1000
  let idle = 0
  const remember = (n: NodeInfo): boolean => {
    const key = n.id.toString('hex')
    if (n.id.equals(dht.id) || !inRegion(n.id, o) || known.has(key)) return false
    known.set(key, { node: n, nextAt: 0, failures: 0 })
    stats.nodesInRegion = known.size
    return true
  }
  const stop = (): boolean =>
    !!o.signal?.aborted ||
    stats.infohashes >= maxIh ||
    (o.maxDurationMs !== undefined && now() - start >= o.maxDurationMs) ||
    (o.maxLookups !== undefined && stats.lookups >= o.maxLookups) ||
    idle >= (o.idleRounds ?? 5)

  while (!stop()) {
    const target = randomIdIn(o, o.random)
    let fresh = 0
    for (const c of dht.closest(target, 16)) if (remember(c)) fresh++
    stats.lookups++
    await dht
      .walk(
        target,
        'find_node',
        { target },
        (r, from) => {
          if (
            isBytes(r.id, ID_LENGTH) &&
            remember({ id: Buffer.from(r.id), host: from.host, port: from.port })
          )
            fresh++
          for (const n of decodeNodes(r.nodes)) if (remember(n)) fresh++
        },
        o.signal,
      )
      .catch(() => undefined)
    let newHashes = 0
    const due = [...known.values()].filter((k) => k.nextAt <= now())
    for (let i = 0; i < due.length && !stop(); i += concurrency) {
      const batch = due.slice(i, i + concurrency)
      const results = await Promise.all(batch.map((k) => sampleOne(dht, k, target, stats)))
      for (let j = 0; j < batch.length; j++) {
        const k = batch[j]!
        const res = results[j]
        if (!res) {
          k.failures++
          k.nextAt = now() + Math.min(300_000, 5000 * 2 ** k.failures)
          continue
        }
        for (const n of res.nodes) if (remember(n)) fresh++
        let fromThis = 0
        for (const ih of res.samples) {
          const key = ih.toString('hex')
          if (seen.has(key)) continue
          seen.add(key)
          fromThis++
          stats.infohashes++
          yield { infoHash: ih, from: { host: k.node.host, port: k.node.port }, nodeId: k.node.id }
          if (stop()) return
        }
        newHashes += fromThis
        const wait =
          o.eagerResampleMs !== undefined && fromThis > 0
            ? Math.min(o.eagerResampleMs, res.interval * 1000)
            : res.interval * 1000
        k.nextAt = now() + Math.max(minInterval, wait)
      }
    }
    idle = fresh === 0 && newHashes === 0 ? idle + 1 : 0
  }
}

async function sampleOne(dht: DhtNode, k: Known, target: Buffer, stats: CrawlStats) {
  stats.samplesSent++
  try {
    return await dht.sample({ host: k.node.host, port: k.node.port }, target)
  } catch {
    stats.samplesFailed++
    return null
  }
}
