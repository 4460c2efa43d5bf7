// A @bbmesh/mesh harvester joined to a testnet: its own @bbmesh/dht node(s), a @bbmesh/wire fetcher
// and its own @bbmesh/index, tapped so the coverage tracker can read what it sighted and fetched.
import { DhtNode, seededRandom } from '@bbmesh/dht'
import { openIndex, type PooledIndex, type SightingInput, type TorrentInput } from '@bbmesh/index'
import {
  createHarvester,
  createWireFetcher,
  dhtNodeAdapter,
  type MetadataRelay,
  type SamplePool,
  type Harvester,
  type HarvesterOptions,
  type MetadataFetcher,
} from '@bbmesh/mesh'
import { INFOHASH_BYTES, LOOPBACK } from './constants.js'
import type { HarvesterProbe } from './coverage.js'
import { createPoolMember, poolHarvesterOptions } from './pool-member.js'

type Tuning = Omit<HarvesterOptions, 'dht' | 'fetcher' | 'index'>

/**
 * Harvester settings for a testnet that lives a minute: fast discovery and sampling, short
 * timeouts and backoff. The public-DHT defaults (HARVESTER_DEFAULTS) are polite and slow.
 */
export const TESTNET_HARVESTER_TUNING: Tuning = {
  discoveryIntervalMs: 500,
  samplesPerSecond: 50,
  sampleTimeoutMs: 2_000,
  resample: 'productive',
  minSampleIntervalS: 2,
  lookupTimeoutMs: 5_000,
  peerTimeoutMs: 3_000,
  backoffBaseMs: 300,
  backoffMaxMs: 2_000,
  failureBaseTtlMs: 1_000,
  failureMaxTtlMs: 5_000,
  persistFlushMs: 200,
}

export interface TestnetHarvesterOptions {
  name?: string
  /** "host:port" list to join through: a testnet's `bootstrap`. */
  bootstrap: readonly string[]
  /** Node ids (DHT nodes) for this harvester; more ids, wider vantage (default 1). */
  nodeIds?: number
  /** Index database: a file path or ':memory:' (default). */
  indexPath?: string
  /** Seeds the node ids and the harvester's random choices (default 1). */
  seed?: number
  /** Overrides of TESTNET_HARVESTER_TUNING. */
  tuning?: Tuning
  /**
   * Pool the crawl with community members (a SamplePool and a MetadataRelay, to be registered on
   * the mesh's links: see `extensions`); `replicate` as in `crawl --replicate`. Default: alone.
   */
  pool?: { replicate?: 'all' | 'own' }
  /** Start harvesting at once (default true); false leaves it to `harvester.start()`. */
  autoStart?: boolean
}

export interface TestnetHarvester {
  readonly name: string
  readonly harvester: Harvester
  readonly index: PooledIndex
  readonly nodes: readonly DhtNode[]
  /** What the coverage tracker reads. */
  readonly probe: HarvesterProbe
  /** With `pool`: the pool and relay, to register on the member's mesh links. */
  readonly pool?: SamplePool
  readonly relay?: MetadataRelay
  /** Stops the harvester (flushing to the index), then closes fetcher, nodes and index. Idempotent. */
  stop(): Promise<void>
}

/** Joins, opens the index and starts harvesting. */
export async function startHarvester(opts: TestnetHarvesterOptions): Promise<TestnetHarvester> {
  const name = opts.name ?? 'harvester'
  const rng = seededRandom(opts.seed ?? 1)
  const nodes: DhtNode[] = []
  const closers: (() => Promise<unknown>)[] = []
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  }
  try {
    for (let i = 0; i < (opts.nodeIds ?? 1); i++) {
      const node = new DhtNode({
        nodeId: rng.bytes(INFOHASH_BYTES),
        bootstrap: [...opts.bootstrap],
        rateLimit: false,
        outboundQueriesPerSecond: false,
      })
      nodes.push(node)
      closers.push(() => node.destroy())
      await node.listen(0, LOOPBACK)
      await node.bootstrap()
    }
    const index = await openIndex({ path: opts.indexPath ?? ':memory:' })
    closers.push(() => index.close())
    // Every seed is on 127.0.0.1: the wire's per-IP cap must not throttle a loopback harvest.
    const wire = createWireFetcher({ dhtPort: nodes[0]!.address()!.port, host: { maxConnectionsPerIp: 256 } })
    closers.push(() => wire.close())

    const sighted = new Set<string>()
    let fetches = 0
    const fetcher: MetadataFetcher = {
      fetch: (ih, peer, signal) => {
        fetches++
        return wire.fetch(ih, peer, signal)
      },
      onDhtPort: (l) => wire.onDhtPort(l),
    }
    const tapped = {
      has: (ih: Uint8Array) => index.has(ih),
      ingest: (ts: TorrentInput[]) => index.ingest(ts),
      recordSightings: (ss: SightingInput[]) => {
        for (const s of ss) sighted.add(Buffer.from(s.infohash).toString('hex'))
        return index.recordSightings(ss)
      },
    }
    const member =
      opts.pool &&
      createPoolMember({
        index,
        nodeIdHex: nodes[0]!.nodeIdHex,
        flushMs: 100,
        ...(opts.pool.replicate !== undefined && { replicate: opts.pool.replicate }),
      })
    const harvester = createHarvester({
      ...TESTNET_HARVESTER_TUNING,
      ...(member && { ...poolHarvesterOptions(member), handOverRecheckMs: 3_000 }),
      ...opts.tuning,
      dht: dhtNodeAdapter(nodes),
      fetcher,
      index: tapped,
      random: () => rng.next(),
    })
    member?.pool.attach(harvester)
    closers.push(() => harvester.stop())
    if (opts.autoStart !== false) harvester.start()

    const probe: HarvesterProbe = {
      name,
      sighted: () => sighted,
      withMetadata: async () => {
        const out: string[] = []
        for await (const t of index.exportAll()) {
          if (t.infohashV1) out.push(t.infohashV1)
          if (t.infohashV2) out.push(t.infohashV2)
        }
        return out
      },
      messagesSent: () => nodes.reduce((n, d) => n + d.stats().queriesOut, 0),
      metadataFetches: () => fetches,
    }
    let stopping: Promise<void> | undefined
    return {
      name,
      harvester,
      index,
      nodes,
      probe,
      ...member,
      stop: () => (stopping ??= close()),
    }
  } catch (err) {
    await close()
    throw err
  }
}
