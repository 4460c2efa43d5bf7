// DhtNode.stats(): the socket's counters with the dispatcher's, and the sizes of the routing
// table and the stores, as one snapshot.
import type { KrpcSocketStats } from './krpc/types.js'

export interface DhtNodeStats extends KrpcSocketStats {
  unknownMethods: number
  handlerErrors: number
  /** BEP 44 puts refused, by the error code sent: a forgery is counted, not just dropped. */
  putsRefused: Record<number, number>
  routingTableSize: number
  storedInfohashes: number
  storedItems: number
}

/** A copy (`dropped` too), so later traffic does not change a snapshot already taken. */
export function nodeStats(
  socket: KrpcSocketStats,
  counters: { unknownMethods: number; handlerErrors: number; putsRefused: Record<number, number> },
  sizes: { routingTableSize: number; storedInfohashes: number; storedItems: number },
): DhtNodeStats {
  return {
    ...socket,
    dropped: { ...socket.dropped },
    ...counters,
    putsRefused: { ...counters.putsRefused },
    ...sizes,
  }
}
