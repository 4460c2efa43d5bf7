// When two members dial each other at once they hold two links; both sides keep the same one, the
// link dialled by the smaller node id, and close the other. The mesh applies it; extensions that
// send on those links (the pool) use it to avoid the link about to close.

/** The direction, as seen from us, of the link we and the peer both keep. */
export function keptDirection(selfHex: string, peerHex: string): 'inbound' | 'outbound' {
  return selfHex < peerHex ? 'outbound' : 'inbound'
}
