// `crawl --community NAME`: the crawl as a member. Beside the harvester it runs the community mesh
// (rendezvous, gated links, bb_members), the gossip bus and the feed sync: what this member indexes
// goes into its feed, what other members' feeds list is offered to its harvester.
import type { DhtNode } from '@bbmesh/dht'
import type { PooledIndex, TorrentInput } from '@bbmesh/index'
import {
  CAPABILITIES,
  createBus,
  FeedSync,
  loadCommunity,
  loadWriterKey,
  meshDht,
  MetadataRelay,
  parseHint,
  startMesh,
  type Harvester,
} from '@bbmesh/mesh'
import type { PeerAddress } from '@bbmesh/wire'
import { communityCliError } from './community-mesh.js'

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
  bus: { puts: number; accepted: number; rejected: number }
}

export interface CrawlMember {
  onTorrent(t: TorrentInput): void
  /** Resolves once a member is linked, or after `ms`, or on abort. */
  firstLink(ms: number, signal: AbortSignal): Promise<void>
  /** A verified info dict from a linked member that indexed it, or undefined. */
  relayFetch(infohash: Uint8Array): Promise<Uint8Array | undefined>
  counters(): MeshCounters
  close(): Promise<void>
}

export async function joinCrawlCommunity(o: CrawlMemberOptions): Promise<CrawlMember> {
  const community = await loadCommunity(o.dataDir, o.name).catch(communityCliError)
  const keyPair = await loadWriterKey(o.dataDir, o.name).catch(communityCliError)
  const dht = meshDht(o.dht)
  // Members serve what this index holds (its metadata cache), verified by the asker.
  const relay = new MetadataRelay({ lookup: (ih) => o.index.metadataFor(ih) })
  const bus = createBus({
    dht: o.dht,
    keys: community.keys,
    writer: { id: Buffer.from(dht.nodeId), keyPair },
  })
  const mesh = await startMesh({
    keys: community.keys,
    dht,
    listen: { host: o.host, port: o.port },
    hints: [...community.hints.map((h) => parseHint(h)), ...o.peers],
    caps: CAPABILITIES.bus,
    feedId: bus.writerId,
    registerExtensions: (r) => r.register(relay.definition()),
  })
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
      while (relay.links.size === 0 && Date.now() < end && !signal.aborted)
        await new Promise((r) => setTimeout(r, 100))
    },
    relayFetch: (ih) => (relay.links.size === 0 ? Promise.resolve(undefined) : relay.fetch(ih)),
    onTorrent(t) {
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
        relay: {
          relayedIn: relay.counters.relayedIn,
          relayFailures: relay.counters.relayFailures,
          served: relay.counters.served,
          badHash: relay.counters.badHash,
          banned: relay.counters.banned,
        },
      }
    },
    async close() {
      await feeds.close()
      await mesh.close()
      await bus.close()
    },
  }
}
