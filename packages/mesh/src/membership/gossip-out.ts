// What a member tells one link: the member table's changes since the link's cursor, as bb_members
// deltas of at most 50 entries, never the link's own peer; and a member record as the public shape.
import { bencode } from '@bbmesh/wire'
import { MAX_ENTRIES_PER_MESSAGE, membersCodecs, type MembersDelta } from './codec.js'
import type { MembersLink } from './extension.js'
import type { MemberRecord, MemberTable } from './member-table.js'
import type { MemberInfo } from './types.js'

/** Delta messages sent to one link per gossip tick at most. */
export const DELTAS_PER_TICK = 4

/** Sends `link` what changed since its cursor (everything, the first time). Returns entries and bytes sent. */
export function flushDeltas(
  table: MemberTable,
  link: MembersLink,
  now: number,
): { entries: number; bytes: number } {
  const sent = { entries: 0, bytes: 0 }
  const peerHex = link.hello && Buffer.from(link.hello.nodeId).toString('hex')
  for (let i = 0; i < DELTAS_PER_TICK; i++) {
    const c = table.changesSince(link.cursor, MAX_ENTRIES_PER_MESSAGE)
    if (c.cursor === link.cursor) break
    link.cursor = c.cursor
    const added = c.added.filter((r) => r.idHex !== peerHex)
    const left = c.left.filter((r) => r.idHex !== peerHex)
    if (added.length === 0 && left.length === 0) continue
    const delta: MembersDelta = {
      added: added.map((r) => ({
        nodeId: r.nodeId,
        host: r.host,
        wirePort: r.wirePort,
        dhtPort: r.dhtPort,
        caps: r.caps,
        ageSeconds: Math.max(0, Math.floor((now - r.lastSeen) / 1000)),
        ...(r.feedId !== undefined && { feedId: r.feedId }),
      })),
      left: left.map((r) => r.nodeId),
    }
    link.send('delta', delta)
    sent.entries += added.length + left.length
    sent.bytes += bencode(membersCodecs.delta.encode(delta).dict).length
  }
  return sent
}

export function memberInfo(r: MemberRecord, now: number): MemberInfo {
  return {
    nodeId: r.idHex,
    host: r.host,
    wirePort: r.wirePort,
    dhtPort: r.dhtPort,
    caps: r.caps,
    ...(r.feedId !== undefined && { feedId: r.feedId.toString('hex') }),
    connected: r.connected,
    lastSeenAgoS: Math.max(0, Math.round((now - r.lastSeen) / 1000)),
    firstSeen: r.firstSeen,
  }
}
