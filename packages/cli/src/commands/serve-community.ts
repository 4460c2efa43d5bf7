// `serve --community NAME`: the server's searches answered by the community. The process joins the
// DHT and the community as a member that crawls nothing: it answers members' bb_search from this
// index, asks them for every first-page query (Torznab, /api/search, the page), and serves the local
// channel so that `bbmesh search --community` on this data dir uses its links too.
import { DhtNode } from '@bbmesh/dht'
import type { PooledIndex } from '@bbmesh/index'
import {
  FederatedSearch,
  federatedSource,
  serveLocalChannel,
  type IndexReader,
  type LocalChannel,
} from '@bbmesh/mesh'
import type { PeerAddress } from '@bbmesh/wire'
import type { CommandContext } from '../context.js'
import { joinMesh } from './community-mesh.js'
import { localChannelPath } from './search-community.js'

export interface ServeCommunityOptions {
  name: string
  bootstrap: string[] | undefined
  peers: PeerAddress[]
  meshPort: number
  deadlineMs: number
}

export interface ServeMember {
  source: IndexReader
  members(): number
  close(): Promise<void>
}

export async function joinServeCommunity(
  ctx: CommandContext,
  index: PooledIndex,
  o: ServeCommunityOptions,
): Promise<ServeMember> {
  const loopback = o.bootstrap !== undefined && o.bootstrap.every((hp) => /^(127\.|localhost:)/.test(hp))
  const host = loopback ? '127.0.0.1' : '0.0.0.0'
  const dht = new DhtNode({ ...(o.bootstrap !== undefined && { bootstrap: o.bootstrap }) })
  dht.on('warning', (err: Error) => ctx.out.debug(`dht: ${err.message}`))
  const search = new FederatedSearch({
    local: (q) => index.search(q),
    files: async (ih) => (await index.get(ih))?.files,
  })
  let channel: LocalChannel | undefined
  try {
    await dht.listen(0, host)
    await dht.bootstrap()
    const mesh = await joinMesh({
      dataDir: ctx.dataDir,
      name: o.name,
      dht,
      host,
      port: o.meshPort,
      peers: o.peers,
      registerExtensions: (r) => r.register(search.definition()),
    })
    channel = await serveLocalChannel(localChannelPath(ctx.dataDir, o.name), search).catch((err: Error) => {
      ctx.out.warn(`search channel: ${err.message}`)
      return undefined
    })
    ctx.out.info(`member of community ${o.name}: searches ask its members (deadline ${o.deadlineMs} ms)`)
    return {
      source: federatedSource(index, search, { deadlineMs: o.deadlineMs }),
      members: () => search.members,
      async close() {
        await channel?.close()
        await mesh.close()
        await dht.destroy()
      },
    }
  } catch (err) {
    await channel?.close()
    await dht.destroy()
    throw err
  }
}
