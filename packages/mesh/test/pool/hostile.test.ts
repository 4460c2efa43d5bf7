// bb_pool against a member that misbehaves, over real loopback links: it floods (the excess is dropped
// and counted, the link closed past the bound, the pool keeps working) and it hands over sightings
// while claiming to be the owner of everything (they are triaged, never handed on again: no loop).
import { randomBytes } from 'node:crypto'
import type { ExtensionSession } from '@bbmesh/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { poolProtocol, type PoolMessages } from '../../src/pool/codec.js'
import { SamplePool } from '../../src/pool/pool.js'
import { MetadataRelay } from '../../src/relay/relay.js'
import { createNet, until, type Net } from '../bus/net.js'
import { Members, newKeys } from '../membership/harness.js'

let net: Net
const members = new Members()
let pool: SamplePool
const offered: string[] = []
/** The attacker's raw bb_pool sessions (one per link; the mesh may close a duplicate): by hand. */
const raws: { session: ExtensionSession<PoolMessages>; closed: boolean }[] = []
const live = (): ExtensionSession<PoolMessages> | undefined => raws.find((r) => !r.closed)?.session

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 4 })
  const keys = newKeys()
  const boot = `127.0.0.1:${net.stocks[0]!.address().port}`
  const relay = new MetadataRelay({ lookup: async () => undefined })
  // Any 20-byte id partitions; the DHT node's is the usual choice, not a requirement.
  pool = new SamplePool({ nodeId: randomBytes(20), relay, flushMs: 20 })
  await members.add(keys, boot, {
    registerExtensions: (r) => {
      r.register(relay.definition())
      r.register(pool.definition())
    },
  })
  pool.attach({
    offer: (ih, via, _from, hints) => {
      offered.push(`${via}:${hints?.pooled === true}:${Buffer.from(ih).toString('hex')}`)
      return true
    },
    addNodes: () => undefined,
  })
  await members.add(keys, boot, {
    registerExtensions: (r) =>
      r.register({
        protocol: poolProtocol,
        create: (session) => {
          const entry = { session, closed: false }
          return {
            handlers: {},
            onReady: () => {
              raws.push(entry)
              // It claims the most partition ids allowed: it owns much, but stays one member.
              session.send('hello', { version: 1, nodeId: randomBytes(20), points: 64 })
            },
            onClose: () => void (entry.closed = true),
          }
        },
      }),
  })
  await until('the attacker pools with the victim', 30_000, () => live() !== undefined && pool.members === 1)
  // Let the mesh settle which of two crossed dials it keeps.
  await new Promise((r) => setTimeout(r, 1_000))
}, 60_000)
afterAll(async () => {
  await members.close()
  await net?.destroy()
})

describe('bb_pool from a hostile member', { timeout: 60_000 }, () => {
  it('sightings it hands over are triaged as ours, never handed on again', async () => {
    const ih = randomBytes(20)
    live()!.send('sightings', {
      entries: [{ infohash: ih, via: 'sample', storer: { host: '127.0.0.1', port: 9 } }],
    })
    await until('the sighting offered', 10_000, () => offered.length > 0)
    expect(offered[0]).toBe(`sample:true:${ih.toString('hex')}`)
    expect(pool.counters.received).toBe(1)
    expect(pool.counters.forwarded).toBe(0)
  })

  it("a flood is dropped and counted and the link closed (the pool's budget or the wire's); nothing crashes", async () => {
    const before = offered.length
    const have = { infohashes: Array.from({ length: 500 }, () => randomBytes(20)) }
    const session = live()!
    const entry = raws.find((r) => r.session === session)!
    for (let i = 0; i < 1_500 && !entry.closed; i++) session.send('have', have)
    await until(
      'flood dropped and the link closed',
      20_000,
      () => pool.counters.floodDropped > 0 && entry.closed,
    )
    // (The mesh may dial it again: flood bans are the relay's and membership's, not the pool's yet.)
    // What got in before the budget ran out was offered once per infohash (repeats are in the
    // member's filter already), so the flood bought it 500 offers, not 1,500 x 500.
    expect(offered.length - before).toBe(500)
    expect(pool.counters.messagesIn).toBeLessThan(1_500)
  })
})
