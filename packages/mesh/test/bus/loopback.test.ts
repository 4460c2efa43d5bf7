// The bus over real UDP on 127.0.0.1: our DHT nodes and stock bittorrent-dht nodes store the items,
// members read and write them, a stranger sees only ciphertext, and every forgery a member (who
// holds the shared bus keys) could attempt is rejected and counted.
import { mutableTarget, type DhtItem } from '@bbmesh/dht'
import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBus, type Bus } from '../../src/bus/bus.js'
import { ManualClock } from '../../src/clock.js'
import { signEnvelope } from '../../src/bus/envelope.js'
import { BusError } from '../../src/bus/errors.js'
import { sealEnvelope } from '../../src/bus/sealed-item.js'
import { slotSalt } from '../../src/bus/slot.js'
import type { BusDht } from '../../src/bus/types.js'
import { createNet, stockGet, type Member, type Net } from './net.js'

let net: Net
let alice: Member
let bob: Member
const buses: Bus[] = []
beforeAll(async () => {
  net = await createNet({ ours: 4, stock: 4 })
  alice = await net.member()
  bob = await net.member()
}, 20_000)
afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()))
  await net?.destroy()
})

function bus(m: Member, dht: BusDht = m.dht): Bus {
  const b = createBus({ dht, keys: net.keys, writer: m.writer })
  buses.push(b)
  return b
}
const sealKeys = () => ({
  busPublicKey: net.keys.busKeyPair.publicKey,
  busEncryptionKey: net.keys.busEncryptionKey,
})
/** A member with the community key writing raw BEP 44 items under the bus key, bypassing the bus. */
function rawPut(m: Member, slot: string, seq: number, v: Buffer) {
  return m.dht.putMutable({ keyPair: net.keys.busKeyPair, v, seq, salt: slotSalt(slot) })
}
function rawGet(m: Member, slot: string): Promise<DhtItem | null> {
  const salt = slotSalt(slot)
  return m.dht.get(mutableTarget(net.keys.busKeyPair.publicKey, salt), { salt })
}

describe('gossip bus over loopback UDP (ours + stock bittorrent-dht)', { timeout: 30_000 }, () => {
  it('put/get between two members; a stranger reading the raw item sees ciphertext only', async () => {
    const a = bus(alice)
    const b = bus(bob)
    const slot = 'digest:2026-12-02'
    const secret = Buffer.from('the members-only digest of the second of December')
    const put = await a.put(slot, secret)
    expect(put.stored).toBeGreaterThan(0)
    const got = await b.get(slot)
    expect(got?.value.toString()).toBe(secret.toString())
    expect(got?.writerId).toEqual(a.writerId)
    expect(got?.nodeId).toEqual(alice.writer.id)
    expect(b.counters.accepted).toBe(1)

    // The stranger knows the bus public key and the slot (it is given both) and uses stock
    // bittorrent-dht: it gets a well-signed BEP 44 item whose v is opaque.
    const salt = slotSalt(slot)
    const raw = await stockGet(net.stocks[2]!, mutableTarget(net.keys.busKeyPair.publicKey, salt), salt)
    expect(raw?.seq).toBe(put.seq)
    expect(Buffer.isBuffer(raw?.v)).toBe(true)
    expect(raw!.v.includes(secret)).toBe(false)
    expect(raw!.v.includes(Buffer.from('December'))).toBe(false)
    expect(raw!.v.includes(alice.writer.keyPair.publicKey)).toBe(false)
    expect(raw!.v.includes(alice.writer.id)).toBe(false)

    // A second put by bob goes to the next seq (CAS on alice's) and alice reads it.
    const put2 = await b.put(slot, Buffer.from('bob was here'))
    expect(put2.seq).toBeGreaterThan(put.seq)
    expect((await a.get(slot))?.value.toString()).toBe('bob was here')
  })

  it('tampered ciphertext and a bad inner signature are rejected, counted and never delivered', async () => {
    const a = bus(alice)
    const b = bus(bob)
    const slot = a.feedSlot
    const { seq } = await a.put(slot, Buffer.alloc(40, 1))
    expect((await b.get(slot))?.seq).toBe(seq)

    const good = (await rawGet(bob, slot))!.v as Buffer
    const tampered = Buffer.from(good)
    tampered[30]! ^= 0x80
    await rawPut(bob, slot, seq + 1, tampered)
    const afterTamper = await b.get(slot)
    expect(afterTamper?.seq).toBe(seq) // still alice's, the tampered one is not delivered
    expect(b.counters.undecryptable).toBe(1)

    // A well-sealed plaintext whose value was changed after alice signed it.
    const signed = signEnvelope(
      { nodeId: alice.writer.id, slot, seq: seq + 2, writtenAt: 1, value: Buffer.alloc(40, 1) },
      alice.writer.keyPair,
    )
    await rawPut(bob, slot, seq + 2, sealEnvelope(sealKeys(), { ...signed, value: Buffer.alloc(40, 2) }))
    expect((await b.get(slot))?.value).toEqual(Buffer.alloc(40, 1))
    expect(b.counters.badSignature).toBe(1)
    expect(b.counters.accepted).toBe(1)
  })

  it('wrong-writer content in a feed slot is refused locally and rejected by readers', async () => {
    const a = bus(alice)
    const b = bus(bob)
    const reader = bus(alice)
    const { seq } = await a.put(a.feedSlot, Buffer.alloc(20, 7))
    await expect(b.put(a.feedSlot, Buffer.alloc(20, 9))).rejects.toMatchObject({ code: 'NOT_SLOT_OWNER' })

    // Bob signs with his own key, states alice's node id, and seals it properly into alice's slot.
    const env = signEnvelope(
      { nodeId: alice.writer.id, slot: a.feedSlot, seq: seq + 1, writtenAt: 1, value: Buffer.alloc(20, 9) },
      bob.writer.keyPair,
    )
    await rawPut(bob, a.feedSlot, seq + 1, sealEnvelope(sealKeys(), env))
    expect((await rawGet(alice, a.feedSlot))?.seq).toBe(seq + 1)
    const got = await reader.get(a.feedSlot)
    expect(got).toBeNull() // this reader never saw alice's item: nothing to deliver
    expect(reader.counters.wrongWriter).toBe(1)
    expect(reader.counters.accepted).toBe(0)
  })

  it('replays: old ciphertext at a newer seq, a re-sealed old plaintext, and a stale copy (rollback)', async () => {
    const a = bus(alice)
    const b = bus(bob)
    const slot = 'digest:2026-12-03'
    const first = await a.put(slot, Buffer.from('one'))
    const oldItem = (await rawGet(bob, slot))!
    await a.put(slot, Buffer.from('two'))
    expect((await b.get(slot))?.value.toString()).toBe('two')

    // 1. The exact old v re-put under a higher seq: the AAD binds the seq, it no longer opens.
    const s3 = (await rawGet(bob, slot))!.seq! + 1
    await rawPut(bob, slot, s3, oldItem.v as Buffer)
    expect((await b.get(slot))?.value.toString()).toBe('two')
    expect(b.counters.undecryptable).toBe(1)

    // 2. A member re-seals alice's old signed plaintext under a higher seq: the inner seq differs.
    const oldEnv = signEnvelope(
      { nodeId: alice.writer.id, slot, seq: first.seq, writtenAt: 1, value: Buffer.from('one') },
      alice.writer.keyPair,
    )
    await rawPut(bob, slot, s3 + 1, sealEnvelope(sealKeys(), oldEnv, s3 + 1))
    expect((await b.get(slot))?.value.toString()).toBe('two')
    expect(b.counters.mismatch).toBe(1)

    // 3. A storer serving the genuine older item after we accepted a newer one: a rollback. (The
    // wrapper stands in for a lying storer: honest BEP 44 storers refuse a lower seq, error 302.)
    await a.put(slot, Buffer.from('three'))
    let served: DhtItem = (await rawGet(bob, slot))!
    const flip: BusDht = { ...bindDht(bob), get: async () => served }
    const d = bus(bob, flip)
    expect((await d.get(slot))?.value.toString()).toBe('three')
    served = oldItem
    expect((await d.get(slot))?.value.toString()).toBe('three')
    expect(d.counters.rollback).toBe(1)
    expect(d.counters.accepted).toBe(1)
  })

  it('a put that read a stale seq (refused by storers, or taken by only some) is retried above the newer one', async () => {
    const a = bus(alice)
    const slot = 'digest:2026-12-05'
    const first = await a.put(slot, Buffer.from('first'))
    // Bob's first read misses the item (as after churn) and his clock is far behind, so he tries
    // a seq below alice's without CAS.
    let misses = 1
    const flaky: BusDht = { ...bindDht(bob), get: async (t, o) => (misses-- > 0 ? null : bob.dht.get(t, o)) }
    const b = createBus({ dht: flaky, keys: net.keys, writer: bob.writer, clock: new ManualClock(1000) })
    buses.push(b)
    const put = await b.put(slot, Buffer.from('second'))
    expect(put.seq).toBe(first.seq + 1)
    expect(b.counters.putRetries).toBeGreaterThanOrEqual(1)
    expect((await a.get(slot))?.value.toString()).toBe('second')
  })

  it('different content at an accepted seq (a lying storer) is an equivocation, never delivered', async () => {
    const a = bus(alice)
    const slot = 'digest:2026-12-06'
    const { seq } = await a.put(slot, Buffer.from('original'))
    const genuine = (await rawGet(bob, slot))!
    let served: DhtItem = genuine
    const d = bus(bob, { ...bindDht(bob), get: async () => served })
    expect((await d.get(slot))?.value.toString()).toBe('original')
    const env = signEnvelope(
      { nodeId: alice.writer.id, slot, seq, writtenAt: 1, value: Buffer.from('other') },
      alice.writer.keyPair,
    )
    served = { ...genuine, v: sealEnvelope(sealKeys(), env) }
    expect((await d.get(slot))?.value.toString()).toBe('original')
    expect(d.counters.equivocation).toBe(1)
  })

  it('keeps its keys out of inspect and JSON', async () => {
    const a = bus(alice)
    const shown = inspect(a, { depth: 10 }) + JSON.stringify(a)
    for (const secret of [
      net.keys.busEncryptionKey,
      net.keys.busKeyPair.secretKey,
      alice.writer.keyPair.secretKey,
    ]) {
      expect(shown).not.toContain(secret.toString('hex'))
      expect(shown).not.toContain(secret.toString('base64'))
    }
    expect(shown).toContain(a.writerId.toString('hex'))
  })

  it('feed catch-up: the writer publishes its newest infohashes, a member that was offline reads them', async () => {
    const { FeedWriter, FeedReader } = await import('../../src/bus/feed.js')
    const a = bus(alice)
    const writer = new FeedWriter(a)
    expect(writer.capacity).toBe(36)
    const hashes = Array.from({ length: 50 }, () => randomBytes(20))
    writer.add(hashes.slice(0, 30))
    writer.add(hashes.slice(25)) // overlapping: dedupe keeps one of each
    expect(writer.infohashes.length).toBe(36)
    const put = await writer.publish()

    // Bob comes online later with a fresh bus and no connection to alice: the DHT has the feed.
    const reader = new FeedReader(bus(bob))
    const feed = await reader.read(a.writerId)
    expect(feed?.seq).toBe(put.seq)
    expect(feed?.nodeId).toEqual(alice.writer.id)
    expect(feed?.infohashes).toEqual([...hashes].reverse().slice(0, 36))
    expect(await reader.read(randomBytes(20))).toBeNull()
  })

  it('watch sees an update; close stops it, is idempotent, and later calls throw BUS_CLOSED', async () => {
    const a = bus(alice)
    const w = createBus({ dht: bob.dht, keys: net.keys, writer: bob.writer })
    const slot = 'digest:2026-12-04'
    await a.put(slot, Buffer.from('v1'))
    const seen: string[] = []
    w.watch(slot, (e) => void seen.push(e.value.toString()), { intervalMs: 1_000 })
    await waitFor(() => seen.length === 1, 10_000)
    await a.put(slot, Buffer.from('v2'))
    await waitFor(() => seen.length === 2, 10_000)
    expect(seen).toEqual(['v1', 'v2'])
    await w.close()
    await w.close()
    await expect(w.get(slot)).rejects.toBeInstanceOf(BusError)
    await expect(w.put(slot, Buffer.from('x'))).rejects.toMatchObject({ code: 'BUS_CLOSED' })
  })
})

function bindDht(m: Member): BusDht {
  return {
    putMutable: (o) => m.dht.putMutable(o),
    putSigned: (o) => m.dht.putSigned(o),
    get: (t, o) => m.dht.get(t, o),
  }
}
async function waitFor(ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 25))
  }
}
