import { decodeNodes, decodePeers, type DhtNode } from '@bbmesh/dht'
import type { DhtContact, Endpoint, HarvestDht, Observation, SampleReply } from '../harvester/types.js'

/** Most nodes one find_node walk reports back (a walk meets a few hundred at most). */
const MAX_WALK_NODES = 512

/**
 * The harvester's view of one or more @bbmesh/dht nodes (several node ids give a wider vantage):
 * observations from all of them; active queries spread over them round-robin.
 */
export function dhtNodeAdapter(nodes: DhtNode | readonly DhtNode[]): HarvestDht {
  const list = Array.isArray(nodes) ? [...(nodes as readonly DhtNode[])] : [nodes as DhtNode]
  if (list.length === 0) throw new RangeError('dhtNodeAdapter needs at least one node')
  let turn = 0
  const next = (): DhtNode => list[turn++ % list.length] as DhtNode

  return {
    observe(listener: (o: Observation) => void): () => void {
      const offs = list.map((node) => {
        const onGetPeers = (o: { infoHash: Buffer; from: Endpoint; nodeId: Buffer }): void =>
          listener({ infohash: o.infoHash, via: 'get_peers', from: o.from, nodeId: o.nodeId })
        const onAnnounce = (o: { infoHash: Buffer; from: Endpoint; nodeId: Buffer; port: number }): void =>
          listener({
            infohash: o.infoHash,
            via: 'announce',
            from: o.from,
            nodeId: o.nodeId,
            peer: { host: o.from.host, port: o.port },
          })
        node.on('get_peers', onGetPeers)
        node.on('announce_peer', onAnnounce)
        return () => {
          node.off('get_peers', onGetPeers)
          node.off('announce_peer', onAnnounce)
        }
      })
      return () => offs.forEach((off) => off())
    },

    async findNodes(target: Uint8Array, signal?: AbortSignal): Promise<DhtContact[]> {
      const found = new Map<string, DhtContact>()
      const add = (c: DhtContact): void => {
        if (found.size < MAX_WALK_NODES) found.set(`${c.host}:${c.port}`, c)
      }
      await next().walk(
        Buffer.from(target),
        'find_node',
        { target: Buffer.from(target) },
        (r, from) => {
          if (Buffer.isBuffer(r.id) && r.id.length === 20) add({ id: r.id, host: from.host, port: from.port })
          for (const n of safeNodes(r.nodes)) add(n)
        },
        signal,
      )
      return [...found.values()]
    },

    async sample(node: Endpoint, target: Uint8Array): Promise<SampleReply> {
      const r = await next().sample({ host: node.host, port: node.port }, Buffer.from(target))
      return { interval: r.interval, num: r.num, samples: r.samples, nodes: r.nodes }
    },

    getPeers(infohash: Uint8Array, signal?: AbortSignal): Promise<Endpoint[]> {
      return next().lookup(Buffer.from(infohash), signal ? { signal } : {})
    },

    async getPeersFrom(node: Endpoint, infohash: Uint8Array): Promise<Endpoint[]> {
      const r = await next().query({ host: node.host, port: node.port }, 'get_peers', {
        info_hash: Buffer.from(infohash),
      })
      return decodePeers(r.values)
    },

    *contacts(): Iterable<DhtContact> {
      for (const node of list) for (const c of node.contacts()) yield { id: c.id, host: c.host, port: c.port }
    },
  }
}

/** Compact node info from a reply we did not validate ourselves: garbage yields nothing. */
function safeNodes(v: unknown): DhtContact[] {
  try {
    return decodeNodes(v as Parameters<typeof decodeNodes>[0])
  } catch {
    return []
  }
}
