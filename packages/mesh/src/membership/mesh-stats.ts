// The figures a CommunityMesh reports, gathered from its parts' counters in one place.
import type { DialerCounters } from './dialer.js'
import type { MembersLink } from './extension.js'
import type { MemberTable } from './member-table.js'
import type { RendezvousCounters } from './rendezvous.js'
import type { MeshStats } from './types.js'

/** The mesh's own counters (the parts keep theirs). */
export interface MeshOwnCounters {
  entriesOut: number
  bytesOut: number
  floodDropped: number
  duplicateLinks: number
  inboundGateFailures: number
  /** Message totals of links that have closed, so stats never go backwards. */
  closedIn: number
  closedOut: number
}

export function meshStats(
  n: MeshOwnCounters,
  table: MemberTable,
  links: Iterable<MembersLink>,
  d: DialerCounters,
  r: RendezvousCounters,
): MeshStats {
  const t = table.counters
  let messagesIn = n.closedIn
  let messagesOut = n.closedOut
  let connected = 0
  for (const l of links) {
    messagesIn += l.messagesIn
    messagesOut += l.messagesOut
    connected++
  }
  return {
    members: table.size,
    seen: t.added,
    connected,
    gateFailures: d.gateFailures + n.inboundGateFailures,
    inboundGateFailures: n.inboundGateFailures,
    dials: d.dials,
    unreachable: d.unreachable,
    backedOff: d.backedOff,
    rateLimited: d.rateLimited,
    announces: r.announces,
    lookups: r.lookups,
    candidates: r.candidates,
    messagesIn,
    messagesOut,
    entriesOut: n.entriesOut,
    bytesOut: n.bytesOut,
    floodDropped: n.floodDropped,
    expired: t.expired,
    left: t.left,
    gossipIgnored: t.gossipIgnored,
    duplicateLinks: n.duplicateLinks,
  }
}
