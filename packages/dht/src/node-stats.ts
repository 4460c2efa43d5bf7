// DhtNode.stats(): the socket's counters with the dispatcher's, and the sizes of the routing
// table and the stores, as one snapshot.
import type { KrpcSocketStats } from './krpc/types.js'

export interface DhtNodeStats extends KrpcSocketStats {
  unknownMethods: number
  handlerErrors: number
  routingTableSize: number
  storedInfohashes: number
  storedItems: number
}

/** A copy (`dropped` too), so later traffic does not change a snapshot already taken. */
export function nodeStats(
  socket: KrpcSocketStats,
  counters: { unknownMethods: number; handlerErrors: number },
  sizes: { routingTableSize: number; storedInfohashes: number; storedItems: number },
): DhtNodeStats {
  return { ...socket, dropped: { ...socket.dropped }, ...counters, ...sizes }
}
