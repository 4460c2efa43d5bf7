// A @bbmesh/mesh harvester inside the simulation: its own @bbmesh/dht node(s) on the memory
// network (joined for real through the simulation's bootstrap nodes), mesh's wire fetcher over the
// in-memory wire network (fetcher.ts) and its own in-memory @bbmesh/index, tapped so the coverage
// tracker can read it cheaply.
import { DhtNode, constants, seededRandom, type MemoryNetwork } from '@bbmesh/dht'
import { openIndex, type PooledIndex, type SightingInput, type TorrentInput } from '@bbmesh/index'
import {
  createHarvester,
  dhtNodeAdapter,
  type Harvester,
  type HarvesterOptions,
  type ReplicatePolicy,
} from '@bbmesh/mesh'
import { INFOHASH_BYTES } from '../constants.js'
import type { HarvesterProbe } from '../coverage.js'
import { createPoolMember, poolHarvesterOptions, type PoolMember } from '../pool-member.js'
import { createSimFetcher, type SimFetcher } from './fetcher.js'
import type { VirtualClock } from './clock.js'
import type { SimWireNetwork } from './wires.js'
import { TrafficCounter } from './traffic.js'

type Tuning = Omit<HarvesterOptions, 'dht' | 'fetcher' | 'index'>

export interface SimHarvesterOptions {
  name: string
  network: MemoryNetwork
  clock: VirtualClock
  /** Counts what this harvester's nodes send. */
  traffic: TrafficCounter
  bootstrap: readonly string[]
  seed: number
  nodeIds: number
  timeoutMs: number
  /** Queries in flight per harvester node, all lookups together (k-rpc's `concurrency`). */
  concurrency: number
  /** BEP 9 runs over this network; the harvester dials from its first DHT node's address. */
  wires: SimWireNetwork
  tuning: Tuning
  /** Pool the crawl with the other members (linked by linkSimMembers); `replicate` as in crawl. */
  pool?: { replicate?: ReplicatePolicy }
  /** Start harvesting at once (default true). */
  autoStart?: boolean
}

export interface SimHarvester {
  readonly name: string
  readonly harvester: Harvester
  readonly index: PooledIndex
  readonly nodes: readonly DhtNode[]
  readonly probe: HarvesterProbe
  readonly fetcher: SimFetcher
  /** What this harvester's nodes sent (opts.traffic counts all harvesters together). */
  readonly traffic: TrafficCounter
  /** With `pool`: its pool and relay, and the peer id its member links carry. */
  readonly member?: PoolMember & { peerId: Uint8Array }
  /** Stops the harvester (flushing), then the fetcher, its nodes and its index. Idempotent. */
  stop(): Promise<void>
}

export async function startSimHarvester(opts: SimHarvesterOptions): Promise<SimHarvester> {
  const rng = seededRandom(opts.seed)
  const nodes: DhtNode[] = []
  const closers: (() => Promise<unknown>)[] = []
  const own = new TrafficCounter()
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  }
  try {
    for (let i = 0; i < opts.nodeIds; i++) {
      const node = new DhtNode({
        nodeId: rng.bytes(INFOHASH_BYTES),
        bootstrap: [...opts.bootstrap],
        transport: opts.traffic.wrap(own.wrap(opts.network.createTransport())),
        rateLimit: false,
        outboundQueriesPerSecond: false,
        timeoutMs: opts.timeoutMs,
        concurrency: opts.concurrency,
        clock: opts.clock,
        random: seededRandom(opts.seed * 31 + i),
        questionableAfterMs: constants.BEP5_QUESTIONABLE_AFTER_MS,
      })
      nodes.push(node)
      closers.push(() => node.destroy())
      await node.listen(0, '0.0.0.0')
      await node.bootstrap()
    }
    const index = await openIndex({ path: ':memory:' })
    closers.push(() => index.close())
    const fetcher = createSimFetcher({
      wires: opts.wires,
      address: nodes[0]?.address()?.address ?? opts.name,
      seed: opts.seed,
    })
    closers.push(() => fetcher.close())
    const sighted = new Set<string>()
    const withMeta = new Set<string>()
    const tapped = {
      has: (ih: Uint8Array) => index.has(ih),
      ingest: async (ts: TorrentInput[]) => {
        const r = await index.ingest(ts)
        for (const t of ts) if (t.infohashV1) withMeta.add(Buffer.from(t.infohashV1).toString('hex'))
        return r
      },
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
        clock: opts.clock,
        ...(opts.pool.replicate !== undefined && { replicate: opts.pool.replicate }),
      })
    const harvester = createHarvester({
      ...opts.tuning,
      ...(member && poolHarvesterOptions(member)),
      dht: dhtNodeAdapter(nodes),
      fetcher,
      index: tapped,
      random: () => rng.next(),
      clock: opts.clock,
    })
    member?.pool.attach(harvester)
    closers.push(() => harvester.stop())
    if (opts.autoStart !== false) harvester.start()
    const probe: HarvesterProbe = {
      name: opts.name,
      sighted: () => sighted,
      withMetadata: () => withMeta,
      messagesSent: () => nodes.reduce((n, d) => n + d.stats().queriesOut, 0),
      metadataFetches: () => fetcher.counters().attempts,
    }
    let stopping: Promise<void> | undefined
    return {
      name: opts.name,
      harvester,
      index,
      nodes,
      probe,
      fetcher,
      traffic: own,
      ...(member && { member: { ...member, peerId: rng.bytes(20) } }),
      stop: () => (stopping ??= close()),
    }
  } catch (err) {
    await close()
    throw err
  }
}
