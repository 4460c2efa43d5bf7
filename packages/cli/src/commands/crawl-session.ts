// What `bbmesh crawl` runs: its own DHT node(s), a BEP-9 wire fetcher and a @bbmesh/mesh harvester
// writing into the index. The index belongs to the caller; close() releases everything else.
import { DhtNode } from '@bbmesh/dht'
import type { PooledIndex, TorrentInput } from '@bbmesh/index'
import {
  createHarvester,
  createWireFetcher,
  dhtNodeAdapter,
  toHex,
  type Harvester,
  type HarvestPool,
} from '@bbmesh/mesh'
import { CliError } from '../errors.js'

export interface CrawlSessionOptions {
  /** "host:port" routers; undefined: the public routers @bbmesh/dht uses by default. */
  bootstrap: string[] | undefined
  host: string
  /** UDP port of the first node (0: any); node i binds port + i. */
  port: number
  nodeIds: number
  fetchWorkers: number
  index: PooledIndex
  onWarning: (message: string) => void
  /** Told about each torrent stored (e.g. the community feed). */
  onTorrent?: (t: TorrentInput) => void
  /**
   * The community's pooled crawl (`crawl --community`): sightings and nodes other members own go to
   * them, and a member's verified copy of an info dict is taken before any swarm lookup.
   */
  pool?: HarvestPool
  /** Told about each batch the index committed (what the pool tells members we hold). */
  onIngested?: (torrents: readonly TorrentInput[]) => void
  /** Start harvesting at once (default); false: the caller starts `harvester` itself. */
  autoStart?: boolean
}

/** Fetches that asked peers for an infohash the index already held when this crawl started. */
export interface KnownFetchCounters {
  attempts: number
  /** Distinct infohashes among them; a resumed crawl should have none (triage consults the index). */
  infohashes: number
}

export interface CrawlSession {
  readonly nodes: readonly DhtNode[]
  readonly harvester: Harvester
  /** Every BEP-9 attempt (one peer each): swarm fetches. */
  fetchAttempts(): number
  /** Info dicts the relay supplied instead of the swarm. */
  relayed(): number
  knownFetches(): KnownFetchCounters
  /** Stops the harvester (flushing every accepted batch), then the fetcher and the nodes. Idempotent. */
  close(): Promise<void>
}

/** Binds and starts the nodes and the harvester; the caller joins the DHT with `joinDht()`. */
export async function openCrawlSession(o: CrawlSessionOptions): Promise<CrawlSession> {
  const nodes: DhtNode[] = []
  const closers: (() => Promise<unknown>)[] = []
  const closeAll = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  }
  try {
    for (let i = 0; i < o.nodeIds; i++) {
      // The dht package's defaults are the polite ones: per-IP inbound limits and an outbound cap.
      const node = new DhtNode({ ...(o.bootstrap !== undefined && { bootstrap: o.bootstrap }) })
      nodes.push(node)
      closers.push(() => node.destroy())
      node.on('warning', (err) => o.onWarning(`dht: ${err.message}`))
      const port = o.port === 0 ? 0 : o.port + i
      try {
        await node.listen(port, o.host)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
        throw new CliError(`cannot bind UDP ${o.host}:${port}: ${code}`, 'BIND')
      }
    }
    const wire = createWireFetcher({ dhtPort: nodes[0]!.address()!.port })
    closers.push(() => wire.close())

    // Infohashes ingested during this run, so that only fetches of what the index held *before*
    // count as known. It grows with the torrents found in one run, not with the index.
    const ingested = new Set<string>()
    const knownSeen = new Set<string>()
    let attempts = 0
    let knownAttempts = 0
    const harvester = createHarvester({
      dht: dhtNodeAdapter(nodes),
      fetcher: {
        fetch: async (ih, peer, signal) => {
          const hex = toHex(ih)
          attempts++
          if (!ingested.has(hex) && (await o.index.has(ih).catch(() => false))) {
            knownAttempts++
            knownSeen.add(hex)
          }
          return wire.fetch(ih, peer, signal)
        },
        onDhtPort: (l) => wire.onDhtPort(l),
      },
      index: o.index,
      fetchWorkers: o.fetchWorkers,
      ...(o.pool && { pool: o.pool }),
      ...(o.onIngested && { onIngested: o.onIngested }),
      onTorrent: (t: TorrentInput) => {
        for (const key of torrentKeys(t)) ingested.add(key)
        o.onTorrent?.(t)
      },
      onError: (err) => o.onWarning(`index write failed (will retry): ${(err as Error).message}`),
    })
    closers.push(() => harvester.stop())
    if (o.autoStart !== false) harvester.start()

    let closing: Promise<void> | undefined
    return {
      nodes,
      harvester,
      fetchAttempts: () => attempts,
      relayed: () => harvester.stats().fetch.relayed,
      knownFetches: () => ({ attempts: knownAttempts, infohashes: knownSeen.size }),
      close: () =>
        (closing ??= (async () => {
          // stop() on its own first: a PersistError (batches it could not write) must reach the caller.
          try {
            await harvester.stop()
          } finally {
            await closeAll()
          }
        })()),
    }
  } catch (err) {
    await closeAll()
    throw err
  }
}

/** Joins the DHT through the bootstrap list with every node; resolves with the routing table sizes. */
export async function joinDht(nodes: readonly DhtNode[], signal: AbortSignal): Promise<number> {
  const joined = Promise.all(nodes.map((n) => n.bootstrap().catch(() => 0)))
  const aborted = new Promise<void>((resolve) => {
    if (signal.aborted) resolve()
    signal.addEventListener('abort', () => resolve(), { once: true })
  })
  await Promise.race([joined, aborted])
  return nodes.reduce((n, node) => n + node.stats().routingTableSize, 0)
}

/** The 20-byte DHT keys (hex) a torrent can be sampled under: v1, and v2 truncated (BEP 52). */
function torrentKeys(t: TorrentInput): string[] {
  const keys: string[] = []
  if (t.infohashV1) keys.push(toHex(t.infohashV1))
  if (t.infohashV2) keys.push(toHex(t.infohashV2.subarray(0, 20)), toHex(t.infohashV2))
  return keys
}
