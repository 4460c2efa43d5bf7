// The member table on a virtual clock: what direct knowledge, gossip, goodbyes and time do to records,
// the bound and its eviction rule, heartbeats and relays, and the per-link change cursors.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import type { MemberEntry, MemberHello } from '../../src/membership/codec.js'
import { MemberTable, type MemberTableOptions } from '../../src/membership/member-table.js'

const GONE = 60_000
const T0 = 1_000_000

function setup(opts: Partial<MemberTableOptions> = {}): {
  clock: ManualClock
  table: MemberTable
  self: Buffer
} {
  const clock = new ManualClock(T0)
  const self = randomBytes(20)
  return { clock, self, table: new MemberTable({ selfId: self, clock, goneAfterMs: GONE, ...opts }) }
}

const hex = (id: Uint8Array): string => Buffer.from(id).toString('hex')

function hello(nodeId: Uint8Array, wirePort = 6881): MemberHello {
  return { version: 1, nodeId, wirePort, dhtPort: 6882, caps: 0 }
}

function entry(nodeId: Uint8Array, ageSeconds = 0, host = '10.0.0.1', wirePort = 7000): MemberEntry {
  return { nodeId, host, wirePort, dhtPort: 7001, caps: 0, ageSeconds }
}

/** Every record the cursor walk yields from `cursor`, page by page. */
function walk(table: MemberTable, cursor: number, limit: number): { ids: string[]; cursor: number } {
  const ids: string[] = []
  for (;;) {
    const c = table.changesSince(cursor, limit)
    expect(c.added.length).toBeLessThanOrEqual(limit)
    expect(c.left.length).toBeLessThanOrEqual(limit)
    if (c.cursor === cursor) return { ids, cursor }
    expect(c.cursor).toBeGreaterThan(cursor)
    ids.push(...c.added.map((r) => r.idHex), ...c.left.map((r) => r.idHex))
    cursor = c.cursor
  }
}

describe('MemberTable', () => {
  it('direct knowledge beats gossip: a connected record is not moved by hearsay', async () => {
    const { table, clock } = setup()
    const id = randomBytes(20)
    table.heardDirect(hello(id, 6881), '127.0.0.5')
    table.setConnected(hex(id), true)
    await clock.advance(1_000)
    expect(table.heardGossip(entry(id, 0, '10.9.9.9', 9999))).toBe(false)
    const r = table.get(hex(id))!
    expect([r.host, r.wirePort, r.dhtPort]).toEqual(['127.0.0.5', 6881, 6882])
    // Once the link is gone, fresher gossip of a move is believed.
    table.setConnected(hex(id), false)
    await clock.advance(1_000)
    expect(table.heardGossip(entry(id, 0, '10.9.9.9', 9999))).toBe(true)
    expect([r.host, r.wirePort]).toEqual(['10.9.9.9', 9999])
  })

  it('gossip only makes a record fresher, and an older sighting moves nothing', async () => {
    const { table, clock } = setup()
    const id = randomBytes(20)
    expect(table.heardGossip(entry(id, 10))).toBe(true)
    const r = table.get(hex(id))!
    expect(r.lastSeen).toBe(T0 - 10_000)
    await clock.advance(5_000)
    // Seen 15 s before T0: older than what we know (10 s before T0).
    expect(table.heardGossip(entry(id, 20, '10.0.0.2', 7002))).toBe(false)
    expect(r.lastSeen).toBe(T0 - 10_000)
    expect([r.host, r.wirePort]).toEqual(['10.0.0.1', 7000])
    // Fresher: lastSeen moves forward.
    expect(table.heardGossip(entry(id, 1))).toBe(false)
    expect(r.lastSeen).toBe(T0 + 5_000 - 1_000)
    // And a staler one afterwards does not move it back.
    table.heardGossip(entry(id, 3))
    expect(r.lastSeen).toBe(T0 + 4_000)
  })

  it('ignores ourselves, directly and through gossip', () => {
    const { table, self } = setup()
    expect(table.heardDirect(hello(self), '127.0.0.1')).toBeUndefined()
    expect(table.heardGossip(entry(self))).toBe(false)
    expect(table.get(hex(self))).toBeUndefined()
    expect(table.size).toBe(0)
    expect(table.counters.gossipIgnored).toBe(1)
  })

  it('ignores gossip as old as goneAfterMs or older', () => {
    const { table } = setup()
    const stale = randomBytes(20)
    const fresh = randomBytes(20)
    expect(table.heardGossip(entry(stale, GONE / 1000))).toBe(false)
    expect(table.get(hex(stale))).toBeUndefined()
    expect(table.heardGossip(entry(fresh, GONE / 1000 - 1))).toBe(true)
    expect(table.counters.gossipIgnored).toBe(1)
  })

  it('is bounded: the stalest unconnected record makes room, a connected one never does', async () => {
    const { table, clock } = setup({ maxMembers: 3 })
    const [a, b, c, d, e] = Array.from({ length: 5 }, () => randomBytes(20))
    // a is the stalest of all, but connected.
    table.heardDirect(hello(a!), '127.0.0.2')
    table.setConnected(hex(a!), true)
    await clock.advance(30_000)
    table.heardGossip(entry(b!, 20)) // seen T0 + 10 s
    table.heardGossip(entry(c!, 10)) // seen T0 + 20 s
    expect(table.size).toBe(3)
    // Not fresher than the stalest unconnected record (b): refused.
    expect(table.heardGossip(entry(d!, 25))).toBe(false)
    expect(table.counters.tableFull).toBe(1)
    // Fresher: b goes; a, the stalest of all by lastSeen, stays because it is connected.
    expect(table.heardGossip(entry(e!, 0))).toBe(true)
    expect(
      table
        .live()
        .map((r) => r.idHex)
        .sort(),
    ).toEqual([a, c, e].map((x) => hex(x!)).sort())
    // With every record connected, nothing is evicted and a newcomer is refused.
    table.setConnected(hex(c!), true)
    table.setConnected(hex(e!), true)
    expect(table.heardDirect(hello(d!), '127.0.0.3')).toBeUndefined()
    expect(table.size).toBe(3)
    expect(table.counters.tableFull).toBe(2)
  })

  it('a leave stands until someone heard of the member after it', async () => {
    const { table, clock } = setup()
    const id = randomBytes(20)
    table.heardGossip(entry(id, 0))
    await clock.advance(2_000)
    expect(table.markLeft(hex(id))).toBe(true)
    expect(table.size).toBe(0)
    expect(table.counters.left).toBe(1)
    // A second goodbye changes nothing.
    expect(table.markLeft(hex(id))).toBe(false)
    await clock.advance(3_000)
    // A sighting from before the goodbye (4 s ago = 1 s before it): ignored.
    expect(table.heardGossip(entry(id, 4))).toBe(false)
    expect(table.size).toBe(0)
    // A sighting exactly at the goodbye: still ignored.
    expect(table.heardGossip(entry(id, 3))).toBe(false)
    expect(table.size).toBe(0)
    // After it: the member came back.
    expect(table.heardGossip(entry(id, 1))).toBe(true)
    expect(table.size).toBe(1)
    expect(table.get(hex(id))!.leftAt).toBeUndefined()
  })

  it('a goodbye older than the last sighting, or about a connected member, is refused', async () => {
    const { table, clock } = setup()
    const id = randomBytes(20)
    const linked = randomBytes(20)
    await clock.advance(5_000)
    table.heardGossip(entry(id, 0))
    expect(table.markLeft(hex(id), T0)).toBe(false)
    table.heardDirect(hello(linked), '127.0.0.4')
    table.setConnected(hex(linked), true)
    expect(table.markLeft(hex(linked))).toBe(false)
    expect(table.size).toBe(2)
  })

  it('a tombstone lasts goneAfterMs, and no sighting from before the goodbye outlives it', async () => {
    const { table, clock } = setup()
    const id = randomBytes(20)
    table.heardGossip(entry(id, 0))
    table.markLeft(hex(id))
    await clock.advance(GONE - 1)
    table.tick(GONE / 3)
    expect(table.get(hex(id))?.leftAt).toBe(T0)
    await clock.advance(1)
    table.tick(GONE / 3)
    expect(table.get(hex(id))).toBeUndefined()
    // A tombstone leaving is not an expiry.
    expect(table.counters.expired).toBe(0)
    // Gossip from before the goodbye is now at least goneAfterMs old: it cannot resurrect the member.
    expect(table.heardGossip(entry(id, GONE / 1000))).toBe(false)
    expect(table.get(hex(id))).toBeUndefined()
  })

  it('a member unheard of for goneAfterMs expires; a connected one never does', async () => {
    const { table, clock } = setup()
    const quiet = randomBytes(20)
    const linked = randomBytes(20)
    table.heardGossip(entry(quiet, 0))
    table.heardDirect(hello(linked), '127.0.0.6')
    table.setConnected(hex(linked), true)
    await clock.advance(GONE - 1)
    expect(table.tick(GONE / 3)).toEqual([])
    expect(table.size).toBe(2)
    await clock.advance(1)
    const gone = table.tick(GONE / 3)
    expect(gone.map((r) => r.idHex)).toEqual([hex(quiet)])
    expect(table.counters.expired).toBe(1)
    await clock.advance(10 * GONE)
    expect(table.tick(GONE / 3)).toEqual([])
    expect(table.live().map((r) => r.idHex)).toEqual([hex(linked)])
    expect(table.get(hex(linked))!.lastSeen).toBe(clock.now())
  })

  it('bumps connected records every heartbeatMs so they are re-gossiped, and only then', async () => {
    const { table, clock } = setup()
    const linked = randomBytes(20)
    const other = randomBytes(20)
    table.heardDirect(hello(linked), '127.0.0.7')
    table.setConnected(hex(linked), true)
    table.heardGossip(entry(other, 0))
    let cursor = walk(table, 0, 50).cursor
    await clock.advance(GONE / 3 - 1)
    table.tick(GONE / 3)
    expect(walk(table, cursor, 50).ids).toEqual([])
    await clock.advance(1)
    table.tick(GONE / 3)
    const beat = walk(table, cursor, 50)
    expect(beat.ids).toEqual([hex(linked)])
    cursor = beat.cursor
    // The next heartbeat is a full interval later, not at every tick.
    await clock.advance(GONE / 6)
    table.tick(GONE / 3)
    expect(walk(table, cursor, 50).ids).toEqual([])
    await clock.advance(GONE / 6)
    table.tick(GONE / 3)
    expect(walk(table, cursor, 50).ids).toEqual([hex(linked)])
  })

  it('relays a heartbeat that makes a record much fresher (>= goneAfterMs / 4), not a small one', async () => {
    const { table, clock } = setup()
    const id = randomBytes(20)
    table.heardGossip(entry(id, 0))
    let cursor = walk(table, 0, 50).cursor
    await clock.advance(GONE / 4 - 1_000)
    // Fresher by goneAfter/4 - 1 s: lastSeen moves, nothing to relay.
    table.heardGossip(entry(id, 0))
    expect(table.get(hex(id))!.lastSeen).toBe(T0 + GONE / 4 - 1_000)
    expect(walk(table, cursor, 50).ids).toEqual([])
    await clock.advance(GONE / 4)
    table.heardGossip(entry(id, 0))
    const relayed = walk(table, cursor, 50)
    expect(relayed.ids).toEqual([hex(id)])
    cursor = relayed.cursor
    // The same heartbeat heard again along another path is not relayed twice.
    table.heardGossip(entry(id, 0))
    expect(walk(table, cursor, 50).ids).toEqual([])
  })

  it('changesSince pages deltas of at most `limit`, in change order, never repeating', async () => {
    const { table, clock } = setup()
    const ids = Array.from({ length: 23 }, () => randomBytes(20))
    for (const id of ids) table.heardGossip(entry(id, 0))
    await clock.advance(1_000)
    // Five of them leave: their records change kind and version.
    for (const id of ids.slice(0, 5)) table.markLeft(hex(id))
    const pages: { added: string[]; left: string[] }[] = []
    let cursor = 0
    for (;;) {
      const c = table.changesSince(cursor, 4)
      if (c.cursor === cursor) break
      expect(c.cursor).toBeGreaterThan(cursor)
      expect(c.added.length).toBeLessThanOrEqual(4)
      expect(c.left.length).toBeLessThanOrEqual(4)
      for (const r of [...c.added, ...c.left]) expect(r.version).toBeGreaterThan(cursor)
      pages.push({ added: c.added.map((r) => r.idHex), left: c.left.map((r) => r.idHex) })
      cursor = c.cursor
    }
    const added = pages.flatMap((p) => p.added)
    const left = pages.flatMap((p) => p.left)
    expect(new Set([...added, ...left]).size).toBe(added.length + left.length)
    expect(added).toEqual(ids.slice(5).map(hex))
    expect(left).toEqual(ids.slice(0, 5).map(hex))
    // Nothing changed since: an empty delta and the same cursor.
    expect(table.changesSince(cursor, 4)).toEqual({ added: [], left: [], cursor })
    // One more change yields exactly that one.
    const late = randomBytes(20)
    table.heardGossip(entry(late, 0))
    const c = table.changesSince(cursor, 4)
    expect(c.added.map((r) => r.idHex)).toEqual([hex(late)])
    expect(c.left).toEqual([])
  })
})
