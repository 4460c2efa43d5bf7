// searchCommunity: one federated query from a process that is not a member yet. It joins the community
// (gated links through the rendezvous swarm and any hints), waits until members have linked and none
// has arrived for a second (or `waitMs`), asks them, and leaves.
import type { SearchPage, SearchQuery } from '@bbmesh/index'
import type { PeerAddress } from '@bbmesh/wire'
import type { MeshDht } from '../membership/types.js'
import type { CommunityKeys } from '../community/derive.js'
import { startMesh } from '../membership/mesh.js'
import { FederatedSearch, type CommunitySearchQuery, type CommunitySearchResult } from './federated-search.js'
import type { FileLookup } from './search-host.js'

export interface SearchCommunityOptions {
  keys: Pick<CommunityKeys, 'gateSecret' | 'rendezvousKey'>
  /** A DHT node that has joined the DHT (meshDht(node)). */
  dht: MeshDht
  query: CommunitySearchQuery
  /** Our own index, searched beside the members. */
  local?: (q: SearchQuery) => Promise<SearchPage>
  /** Our own torrents' file lists, for quality checks (see FederatedSearchOptions.files). */
  files?: FileLookup
  hints?: PeerAddress[]
  /** Wire listener address (default 127.0.0.1, any port). */
  listen?: { host?: string; port?: number }
  /** How long to wait for members to link. Default 15 s. */
  waitMs?: number
  /** Called while waiting, with the members linked so far. */
  onWaiting?: (linked: number, waitedMs: number) => void
}

/** How long the member count must stay put before we ask. */
const SETTLE_MS = 1_000

export async function searchCommunity(o: SearchCommunityOptions): Promise<CommunitySearchResult> {
  const search = new FederatedSearch({
    ...(o.local && { local: o.local }),
    ...(o.files && { files: o.files }),
  })
  const mesh = await startMesh({
    keys: o.keys,
    dht: o.dht,
    ...(o.listen && { listen: o.listen }),
    hints: o.hints ?? [],
    // A one-off asker wants every member it can reach, not the usual dozen.
    targetConnections: 64,
    maxConnections: 64,
    registerExtensions: (r) => r.register(search.definition()),
  })
  try {
    await settle(search, o.waitMs ?? 15_000, o.onWaiting)
    return await search.search(o.query)
  } finally {
    await mesh.close()
  }
}

async function settle(
  search: FederatedSearch,
  ms: number,
  onWaiting?: (linked: number, waitedMs: number) => void,
): Promise<void> {
  const start = Date.now()
  let last = 0
  let changed = start
  while (Date.now() - start < ms) {
    const n = search.members
    if (n !== last) {
      last = n
      changed = Date.now()
    }
    if (n > 0 && Date.now() - changed >= SETTLE_MS) return
    onWaiting?.(n, Date.now() - start)
    await new Promise((r) => setTimeout(r, 100))
  }
}
