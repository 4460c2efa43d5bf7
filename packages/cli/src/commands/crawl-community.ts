// `crawl --community NAME`: the crawl as a member. Beside the harvester it runs the community mesh
// (rendezvous, gated links, bb_members), the pooled crawl (bb_pool: sightings and nodes to their
// owner, have deltas; bb_relay: verified metadata from members), the gossip bus and the feed sync:
// what this member indexes goes into its feed, what other members' feeds list is offered to its
// harvester.
import type { DhtNode } from '@bbmesh/dht'
import type { PooledIndex, TorrentInput } from '@bbmesh/index'
import {
  CAPABILITIES,
  communityCursorPath,
  createBus,
  FederatedSearch,
  FeedSync,
  indexCatchUpSync,
  loadCommunity,
  loadWriterKey,
  meshDht,
  MetadataRelay,
  NearServer,
  parseHint,
  SamplePool,
  serveLocalChannel,
  type LocalChannel,
  StoredSample,
  type PoolCounters,
  type SyncCounters,
  type ReplicatePolicy,
  startMesh,
  type Harvester,
} from '@bbmesh/mesh'
import type { PeerAddress } from '@bbmesh/wire'
import { communityCliError } from './community-mesh.js'
import { localChannelPath } from './search-community.js'

export interface CrawlMemberOptions {
  dataDir: string
  name: string
  dht: DhtNode
  harvester: Harvester
  index: PooledIndex
  host: string
  port: number
  peers: PeerAddress[]
  /** Feed publish interval; other members' feeds are re-read every two. */
  feedIntervalMs: number
  /** `--replicate`: take every torrent members hold (all), or only keep what we fetch (own). */
  replicate: ReplicatePolicy
  onWarning?: (message: string) => void
}

/** What `crawl --json` reports under `mesh`. */
export interface MeshCounters {
  community: string
  fingerprint: string
  members: number
  /** Members met during the run (the table empties again as they leave). */
  membersSeen: number
  connected: number
  gateFailures: number
  dials: number
  announces: number
  lookups: number
  messagesIn: number
  messagesOut: number
  feed: { published: number; publishFailures: number; feedsRead: number; offered: number }
  relay: { relayedIn: number; relayFailures: number; served: number; badHash: number; banned: number }
  pool: PoolReport
  /** bb_search: members' queries we answered, and ours (through the local channel). */
  search: {
    queriesIn: number
    answered: number
    queriesOut: number
    rateLimited: number
    implausible: number
  }
  bus: { puts: number; accepted: number; rejected: number }
  /** Catch-up sync (bb_sync): passes over members' holdings, pages, torrents in, skipped, bad hashes. */
  sync: SyncCounters
}

/** What `crawl --json` reports under `mesh.pool`: the pool's counters (see PoolCounters) and the relay's. */
export type PoolReport = Pick<
  PoolCounters,
  | 'owned'
  | 'forwarded'
  | 'received'
  | 'nodesForwarded'
  | 'nodesReceived'
  | 'haveOut'
  | 'haveIn'
  | 'floodDropped'
  | 'storedRead'
  | 'storedOwned'
> & {
  replicate: ReplicatePolicy
  /** Members we pool with now (a live bb_pool link). */
  members: number
  /** Verified info dicts taken from members, and served to them. */
  relayedIn: number
  relayedOut: number
  relayFailures: number
  /** Junk entries refused from members, and members banned for junk, floods or dead sightings. */
  junkEntries: number
  membersBanned: number
  /** bb_near queries answered to members, and refused with a stranger's 204. */
  nearAnswered: number
  nearRefused: number
}

export interface CrawlMember {
  /** The pooled crawl: the harvester's `pool` (through the caller, which creates the harvester first). */
  readonly pool: SamplePool
  onTorrent(t: TorrentInput): void
  /** Resolves once a member is linked, or after `ms`, or on abort. */
  firstLink(ms: number, signal: AbortSignal): Promise<void>
  counters(): MeshCounters
  close(): Promise<void>
}

export async function joinCrawlCommunity(o: CrawlMemberOptions): Promise<CrawlMember> {
  const community = await loadCommunity(o.dataDir, o.name).catch(communityCliError)
  const keyPair = await loadWriterKey(o.dataDir, o.name).catch(communityCliError)
  const dht = meshDht(o.dht)
  // Members serve what this index holds (its metadata cache), verified by the asker.
  // A dict that fails its hash counts against the member's search results too, if it returned it.
  const relay = new MetadataRelay({
    lookup: (ih) => o.index.metadataFor(ih),
    onBadHash: (who, ih) => search.relayFailed(who, ih),
  })
  // Members read our DHT node's whole store (bb_stored) and we theirs; and ask it bb_near.
  const stored = new StoredSample({
    source: { storedInfohashes: () => o.dht.storedInfohashes(), dhtPort: dht.dhtPort },
  })
  const near = new NearServer({ key: community.keys.nearMacKey, dht: o.dht })
  near.start()
  // What members indexed before we pooled with them arrives by catch-up sync, in bulk; until a pass
  // reaches it, an infohash no member claims is still asked of a few (askUnknown).
  const pool = new SamplePool({
    nodeId: dht.nodeId,
    relay,
    replicate: o.replicate,
    askUnknown: true,
    stored,
  })
  // Members' keyword searches are answered from this index; `bbmesh search --community` on this
  // machine asks through the local channel and so uses these links.
  const search = new FederatedSearch({
    local: (q) => o.index.search(q),
    files: async (ih) => (await o.index.get(ih))?.files,
  })
  const bus = createBus({
    dht: o.dht,
    keys: community.keys,
    writer: { id: Buffer.from(dht.nodeId), keyPair },
  })
  // Once linked, catch up in bulk on what members held before we pooled with them (bb_sync).
  const sync = indexCatchUpSync(o.index, {
    memberId: bus.writerId,
    cursorPath: communityCursorPath(o.dataDir, o.name),
  })
  const mesh = await startMesh({
    keys: community.keys,
    dht,
    listen: { host: o.host, port: o.port },
    hints: [...community.hints.map((h) => parseHint(h)), ...o.peers],
    caps: CAPABILITIES.bus,
    feedId: bus.writerId,
    registerExtensions: (r) => {
      r.register(relay.definition())
      r.register(pool.definition())
      r.register(search.definition())
      r.register(stored.definition())
      r.register(sync.definition())
    },
  })
  const channel = await serveLocalChannel(localChannelPath(o.dataDir, o.name), search).catch(
    (err: Error): LocalChannel | undefined => (o.onWarning?.(`search channel: ${err.message}`), undefined),
  )
  pool.attach(o.harvester)
  const feeds = new FeedSync({
    bus,
    members: () => mesh.members(),
    offer: (ih, from) => void o.harvester.offer(ih, 'gossip', from),
    publishIntervalMs: o.feedIntervalMs,
    readIntervalMs: 2 * o.feedIntervalMs,
  })
  feeds.start(Math.min(15_000, o.feedIntervalMs))
  return {
    firstLink: async (ms, signal) => {
      const end = Date.now() + ms
      // Linked for pooling: the member's bb_pool hello has arrived (it follows the gate).
      while (pool.members === 0 && Date.now() < end && !signal.aborted)
        await new Promise((r) => setTimeout(r, 100))
    },
    pool,
    onTorrent(t) {
      // Fetched and verified (by relay or from the swarm): members whose search hits said otherwise
      // of it lose search weight.
      search.checkFetched(t)
      const key = t.infohashV1 ?? t.infohashV2?.subarray(0, 20)
      if (key) feeds.add([key])
    },
    counters() {
      const s = mesh.stats()
      const b = bus.counters
      const rejected =
        b.undecryptable +
        b.malformed +
        b.badSignature +
        b.wrongWriter +
        b.mismatch +
        b.rollback +
        b.equivocation
      return {
        community: community.name,
        fingerprint: community.fingerprint,
        members: s.members,
        membersSeen: s.seen,
        connected: s.connected,
        gateFailures: s.gateFailures,
        dials: s.dials,
        announces: s.announces,
        lookups: s.lookups,
        messagesIn: s.messagesIn,
        messagesOut: s.messagesOut,
        feed: {
          published: feeds.counters.published,
          publishFailures: feeds.counters.publishFailures,
          feedsRead: feeds.counters.feedsRead,
          offered: feeds.counters.offered,
        },
        bus: { puts: b.puts, accepted: b.accepted, rejected },
        search: {
          queriesIn: search.counters.queriesIn,
          answered: search.counters.answered,
          queriesOut: search.counters.queriesOut,
          rateLimited: search.counters.rateLimited,
          implausible: search.counters.implausible,
        },
        sync: { ...sync.counters },
        relay: {
          relayedIn: relay.counters.relayedIn,
          relayFailures: relay.counters.relayFailures,
          served: relay.counters.served,
          badHash: relay.counters.badHash,
          banned: relay.counters.banned,
        },
        pool: {
          replicate: pool.replicate,
          members: pool.members,
          owned: pool.counters.owned,
          forwarded: pool.counters.forwarded,
          received: pool.counters.received,
          nodesForwarded: pool.counters.nodesForwarded,
          nodesReceived: pool.counters.nodesReceived,
          haveOut: pool.counters.haveOut,
          haveIn: pool.counters.haveIn,
          relayedIn: relay.counters.relayedIn,
          relayedOut: relay.counters.served,
          relayFailures: relay.counters.relayFailures,
          floodDropped: pool.counters.floodDropped + relay.counters.floodDropped,
          storedRead: pool.counters.storedRead,
          storedOwned: pool.counters.storedOwned,
          junkEntries: pool.standing.counters.junkEntries,
          membersBanned: pool.standing.counters.banned,
          nearAnswered: near.counters.answered,
          nearRefused: near.counters.rejected,
        },
      }
    },
    async close() {
      await channel?.close()
      pool.flush()
      near.stop()
      await sync.stop()
      await feeds.close()
      await mesh.close()
      await bus.close()
    },
  }
}
