// bb_roots over real loopback links: what a member serves before the link reaches the other on
// link-up, what it serves after arrives as a delta, `membersServing` names exactly the members that
// said so, and a member that floods or claims more than a filter holds is capped, counted and cut off.
import { randomBytes } from 'node:crypto'
import type { ExtensionSession } from '@bbmesh/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_ROOTS_ENTRIES, rootsProtocol, type RootsMessages } from '../../src/roots/codec.js'
import { ServedRoots } from '../../src/roots/served-roots.js'
import { createNet, until, type Net } from '../bus/net.js'
import { Members, newKeys, type TestMember } from '../membership/harness.js'

let net: Net
const members = new Members()
const idOf = (m: TestMember): string => Buffer.from(m.mesh.host.peerId).toString('hex')
const roots = (n: number): Buffer[] => Array.from({ length: n }, () => randomBytes(32))
/** A's roots before it links (sent on link-up) and after (a delta), and roots nobody serves. */
const before = roots(700)
const after = roots(5)
const nobody = roots(50)
const a = new ServedRoots({ flushMs: 20 })
const b = new ServedRoots({ flushMs: 20, capacity: 1_000 })
let A: TestMember
let B: TestMember
/** A raw bb_roots member, sending by hand. */
const raws: { session: ExtensionSession<RootsMessages>; closed: boolean }[] = []
let H: TestMember
let keys: ReturnType<typeof newKeys>
let boot: string
let claimed: Buffer[] = []

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 4 })
  keys = newKeys()
  boot = `127.0.0.1:${net.stocks[0]!.address().port}`
  a.serve(before)
  A = await members.add(keys, boot, { registerExtensions: (r) => r.register(a.definition()) })
  B = await members.add(keys, boot, { registerExtensions: (r) => r.register(b.definition()) })
  await until('A and B linked', 30_000, () => a.members === 1 && b.members === 1)
}, 60_000)
afterAll(async () => {
  await members.close()
  await net?.destroy()
})

describe('bb_roots between members', { timeout: 60_000 }, () => {
  it("what A served before the link reaches B on link-up; B's membersServing finds A for it only", async () => {
    await until('the whole set arrived', 20_000, () => b.counters.rootsIn >= before.length)
    for (const r of before) expect([...b.membersServing(r)]).toEqual([idOf(A)])
    // 1 in 1,000 false positives: of 50 roots nobody served, one hit is already unlikely.
    const hits = nobody.filter((r) => b.membersServing(r).size > 0).length
    expect(hits).toBeLessThanOrEqual(1)
    // Split into messages of at most MAX_ROOTS_ENTRIES.
    expect(a.counters.messagesOut).toBeGreaterThanOrEqual(Math.ceil(before.length / MAX_ROOTS_ENTRIES))
    // B serves nothing: A learns no roots.
    expect(a.counters.rootsIn).toBe(0)
    expect(a.membersServing(before[0]!).size).toBe(0)
  })

  it('what A serves later reaches B as a delta; a repeat is not sent again', async () => {
    const sent = a.counters.served
    a.serve([...after, before[0]!])
    expect(a.counters.served - sent).toBe(after.length)
    await until('the delta arrived', 10_000, () => after.every((r) => b.membersServing(r).has(idOf(A))))
    expect(b.counters.rootsIn).toBe(before.length + after.length)
  })

  it('a member claiming more than a filter holds is capped there; the excess is dropped and counted', async () => {
    H = await members.add(keys, boot, {
      registerExtensions: (r) =>
        r.register({
          protocol: rootsProtocol,
          create: (session) => {
            const entry = { session, closed: false }
            return {
              handlers: {},
              onReady: () => void raws.push(entry),
              onClose: () => void (entry.closed = true),
            }
          },
        }),
    })
    await until('H linked to B', 30_000, () => b.members === 2 && live() !== undefined)
    // Let the mesh settle which of two crossed dials it keeps: one open link, the same for 1.5 s (a
    // loaded machine can take longer than a fixed pause; messages sent on the losing link are lost).
    const openToB = (): number => raws.filter((r) => !r.closed && peerOf(r.session) === idOf(B)).length
    for (let settled = false, i = 0; !settled && i < 20; i++) {
      await until('one open link from H to B', 10_000, () => openToB() === 1)
      const one = live()
      await new Promise((r) => setTimeout(r, 1_500))
      settled = live() === one && openToB() === 1
    }
    // B's filters hold 1,000 roots each: H claims 1,200 in four full messages.
    claimed = roots(4 * MAX_ROOTS_ENTRIES)
    for (let i = 0; i < claimed.length; i += MAX_ROOTS_ENTRIES)
      live()!.send('roots', { roots: claimed.slice(i, i + MAX_ROOTS_ENTRIES) })
    await until('H capped', 10_000, () => b.counters.overCapacity >= 200)
    expect(b.counters.overCapacity).toBe(200)
    expect(claimed.slice(0, 1_000).every((r) => b.membersServing(r).has(idOf(H)))).toBe(true)
    const past = claimed.slice(1_000).filter((r) => b.membersServing(r).has(idOf(H))).length
    expect(past).toBeLessThanOrEqual(2) // Bloom false positives at capacity, about 1 in 1,000
    // A's roots are still A's alone.
    expect([...b.membersServing(after[0]!)]).toEqual([idOf(A)])
  })

  it('a flood is dropped and counted and the link closed; B keeps working', async () => {
    const session = live()!
    const entry = raws.find((r) => r.session === session)!
    const one = { roots: roots(1) }
    for (let i = 0; i < 1_500 && !entry.closed; i++) session.send('roots', one)
    await until(
      'flood dropped and the link closed',
      20_000,
      () => b.counters.floodDropped > 0 && entry.closed,
    )
    expect(b.counters.messagesIn).toBeLessThan(1_500)
    // When H is gone for good, its filter goes with its last link; A still answers for its roots.
    const hid = idOf(H)
    await members.remove(H)
    await until('H forgotten', 10_000, () => b.members === 1)
    expect(b.membersServing(claimed[0]!).has(hid)).toBe(false)
    const more = roots(3)
    a.serve(more)
    await until('A still reaches B', 10_000, () => more.every((r) => b.membersServing(r).has(idOf(A))))
  })
})

/** H's open session to B (H links to A too; the mesh may close one of two crossed dials). */
const peerOf = (s: ExtensionSession<RootsMessages>): string =>
  Buffer.from(s.peer.peerId ?? []).toString('hex')
const live = (): ExtensionSession<RootsMessages> | undefined =>
  raws.find((r) => !r.closed && peerOf(r.session) === idOf(B))?.session
