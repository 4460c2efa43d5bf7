import type { DhtNode } from '@bbmesh/dht'
import type { MeshDht } from '../membership/types.js'

/** A listening @bbmesh/dht node as the mesh's DHT: its id and port, announce and get_peers. */
export function meshDht(dht: DhtNode): MeshDht {
  const addr = dht.address()
  if (!addr) throw new RangeError('meshDht: the DHT node is not listening yet')
  return {
    nodeId: Buffer.from(dht.nodeIdHex, 'hex'),
    dhtPort: addr.port,
    announce: (ih, port) => dht.announce(ih, port),
    lookup: (ih) => dht.lookup(ih),
  }
}
