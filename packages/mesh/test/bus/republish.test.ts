// Republishing on a virtual clock over a real loopback DHT: our slots are re-put on schedule, an
// intruder's higher seq in our feed slot is put back under, and close leaves no timer behind.
import { randomBytes } from 'node:crypto'
import { KrpcRemoteError, generateKeyPair, mutableTarget, type DhtItem } from '@bbmesh/dht'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { createBus } from '../../src/bus/bus.js'
import { signEnvelope } from '../../src/bus/envelope.js'
import { FeedReader, FeedWriter } from '../../src/bus/feed.js'
import { sealEnvelope } from '../../src/bus/sealed-item.js'
import { slotSalt } from '../../src/bus/slot.js'
import type { BusDht } from '../../src/bus/types.js'
import { deriveCommunityKeys } from '../../src/community/derive.js'
import { createNet, until, type Member, type Net } from './net.js'

let net: Net
let alice: Member
let bob: Member
beforeAll(async () => {
  net = await createNet({ ours: 3, stock: 3 })
  alice = await net.member()
  bob = await net.member()
}, 20_000)
afterAll(async () => {
  await net?.destroy()
})

describe('bus republish against refusals (virtual clock, in-memory DHT stand-in)', () => {
  it('counts a 302 for the identical item as still stored, and retries after a failure', async () => {
    const keys = deriveCommunityKeys(randomBytes(32))
    let stored: DhtItem | null = null
    let next: Error | null = new KrpcRemoteError(302, 'sequence number less than current')
    const dht: BusDht = {
      get: async () => stored,
      putMutable: async (o) => {
        stored = { v: o.v as Buffer, seq: o.seq }
        return { target: Buffer.alloc(20), stored: 1 }
      },
      putSigned: async () => {
        if (next) throw next
        return { target: Buffer.alloc(20), stored: 1 }
      },
    }
    const clock = new ManualClock(1_000_000)
    const writer = { id: randomBytes(20), keyPair: generateKeyPair() }
    const a = createBus({ dht, keys, writer, clock, republishMs: 1_000 })
    await a.put(a.feedSlot, Buffer.alloc(20))
    await clock.advance(1_000)
    expect(a.counters.republished).toBe(1)
    next = new Error('network down')
    await clock.advance(1_000)
    expect(a.counters.republishFailures).toBe(1)
    next = null
    await clock.advance(1_000)
    expect(a.counters.republished).toBe(2)
    await a.close()
    expect(clock.pending).toBe(0)
  })
})

describe('bus republish (virtual clock, loopback UDP)', { timeout: 30_000 }, () => {
  it('re-puts our feed on schedule and re-asserts it above an intruder', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 2))
    const a = createBus({ dht: alice.dht, keys: net.keys, writer: alice.writer, clock, republishMs: 60_000 })
    const writer = new FeedWriter(a)
    const hashes = [randomBytes(20), randomBytes(20)]
    writer.add(hashes)
    const first = await writer.publish()

    await clock.advance(60_000)
    await until('a republish', 10_000, () => a.counters.republished === 1)
    expect(clock.pending).toBe(1) // the next one is scheduled

    // Bob (he holds the bus key) puts his own signed content above alice's seq in her feed slot.
    const slot = a.feedSlot
    const salt = slotSalt(slot)
    const env = signEnvelope(
      { nodeId: bob.writer.id, slot, seq: first.seq + 1, writtenAt: 1, value: Buffer.alloc(20) },
      bob.writer.keyPair,
    )
    const v = sealEnvelope(
      { busPublicKey: net.keys.busKeyPair.publicKey, busEncryptionKey: net.keys.busEncryptionKey },
      env,
    )
    await bob.dht.putMutable({ keyPair: net.keys.busKeyPair, v, seq: first.seq + 1, salt })
    const readerBus = createBus({ dht: bob.dht, keys: net.keys, writer: bob.writer })
    const reader = new FeedReader(readerBus)
    expect(await reader.read(a.writerId)).toBeNull()

    await clock.advance(60_000)
    await until('alice back on top', 10_000, () => a.counters.overtaken === 1 && a.counters.puts === 2)
    const target = mutableTarget(net.keys.busKeyPair.publicKey, salt)
    const top = (await bob.dht.get(target, { salt }))?.seq
    expect(top).toBeGreaterThan(first.seq + 1)
    const feed = await reader.read(a.writerId)
    expect(feed?.seq).toBe(top)
    expect(feed?.infohashes).toEqual([...hashes].reverse())

    await Promise.all([a.close(), readerBus.close()])
    expect(clock.pending).toBe(0)
    await clock.advance(10 * 60_000)
    expect(a.counters.republished).toBe(1)
  })

  it('stops republishing a shared slot once another member has written a newer seq', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 2))
    const a = createBus({ dht: alice.dht, keys: net.keys, writer: alice.writer, clock, republishMs: 60_000 })
    const b = createBus({ dht: bob.dht, keys: net.keys, writer: bob.writer })
    const slot = 'digest:2026-12-02'
    await a.put(slot, Buffer.from('alice'))
    await b.put(slot, Buffer.from('bob'))
    await clock.advance(60_000)
    await until('the republish to notice', 10_000, () => a.counters.overtaken === 1)
    expect(a.counters.puts).toBe(1)
    expect(clock.pending).toBe(0)
    expect((await a.get(slot))?.value.toString()).toBe('bob')
    await Promise.all([a.close(), b.close()])
  })
})
