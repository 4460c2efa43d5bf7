// The trusted full sample over real loopback links: a member reads another member's whole DHT store
// page by page (bb_stored, behind the gate) where a stranger gets BEP 51's 20 random samples; a stock
// bittorrent-dht client asking sample_infohashes of the same member gets exactly the standard reply;
// and a pooling member offers its harvester the infohashes of a member's store it owns.
import { randomBytes } from 'node:crypto'
import { constants, decodeSampleReply, type BDict, type DhtNode } from '@bbmesh/dht'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SamplePool } from '../../src/pool/pool.js'
import { MetadataRelay } from '../../src/relay/relay.js'
import { StoredSample } from '../../src/stored/stored-sample.js'
import { createNet, until, type Net } from '../bus/net.js'
import { Members, newKeys, type TestMember } from '../membership/harness.js'

let net: Net
const members = new Members()
const STORED = 1_234
const mine = Array.from({ length: STORED }, () => randomBytes(20))
let holder: TestMember, reader: TestMember
let holderStored: StoredSample, readerStored: StoredSample
let readerPool: SamplePool
const offered: { ih: string; via: string; storer?: string; pooled: boolean }[] = []
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A StoredSample whose source is the member's DHT node, known once the harness made it. */
function storedFor(node: { dht?: DhtNode }): StoredSample {
  return new StoredSample({
    pageSize: 100,
    snapshotMs: 0, // every page from the store as it is now, so a store changing mid-read shows
    timeoutMs: 5_000,
    source: {
      storedInfohashes: () => node.dht?.storedInfohashes() ?? [],
      get dhtPort() {
        return node.dht?.address()?.port ?? 0
      },
    },
  })
}

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 4 })
  const keys = newKeys()
  const boot = `127.0.0.1:${net.stocks[0]!.address().port}`
  const h: { dht?: DhtNode } = {}
  const r: { dht?: DhtNode } = {}
  holderStored = storedFor(h)
  readerStored = storedFor(r)
  const holderPool = new SamplePool({
    nodeId: randomBytes(20),
    relay: new MetadataRelay({ lookup: async () => undefined }),
    stored: holderStored,
  })
  const relay = new MetadataRelay({ lookup: async () => undefined })
  readerPool = new SamplePool({ nodeId: randomBytes(20), relay, stored: readerStored, flushMs: 20 })
  readerPool.attach({
    offer: (ih, via, _from, hints) => {
      const s = hints?.storer
      offered.push({
        ih: hex(ih),
        via,
        pooled: hints?.pooled === true,
        ...(s && { storer: `${s.host}:${s.port}` }),
      })
      return true
    },
    addNodes: () => undefined,
  })
  holder = await members.add(keys, boot, {
    registerExtensions: (x) => {
      x.register(holderStored.definition())
      x.register(holderPool.definition())
    },
  })
  h.dht = holder.dht
  for (const ih of mine) holder.dht.storePeer(ih, { host: '127.0.0.1', port: 6881 })
  reader = await members.add(keys, boot, {
    registerExtensions: (x) => {
      x.register(relay.definition())
      x.register(readerStored.definition())
      x.register(readerPool.definition())
    },
  })
  r.dht = reader.dht
  await until(
    'linked',
    30_000,
    () => [...readerStored.links].some((l) => l.ready) && readerPool.members === 1,
  )
}, 60_000)
afterAll(async () => {
  await members.close()
  await net?.destroy()
})

describe('bb_stored: the trusted full sample', { timeout: 60_000 }, () => {
  it('a member reads the whole store, in pages of at most the page size, each infohash once', async () => {
    const who = [...readerStored.links].find((l) => l.ready)!.who
    const seen: string[] = []
    let pages = 0
    const before = readerStored.counters.pagesIn
    const res = await readerStored.collect(who, (ihs, from) => {
      pages++
      expect(ihs.length).toBeLessThanOrEqual(100)
      expect(from.storer).toEqual({ host: '127.0.0.1', port: holder.dht.address()!.port })
      seen.push(...ihs.map(hex))
    })
    // The store may gain a rendezvous announce meanwhile (pages come from a snapshot up to 5 s old),
    // so the page contents are checked against what we stored and against their own order.
    expect(res).toEqual({ infohashes: seen.length, complete: true })
    expect(seen).toEqual([...new Set(seen)].sort()) // byte order, no repeats
    const got = new Set(seen)
    expect(mine.every((ih) => got.has(hex(ih)))).toBe(true) // nothing left out
    const now = new Set(holder.dht.storedInfohashes().map(hex))
    expect(seen.every((ih) => now.has(ih))).toBe(true) // nothing made up
    expect(pages).toBe(Math.ceil(seen.length / 100))
    // (The pool's own read of the same store may run meanwhile: the counter is shared.)
    expect(readerStored.counters.pagesIn - before).toBeGreaterThanOrEqual(pages)
    expect(holderStored.counters.pagesOut).toBeGreaterThanOrEqual(pages)
  })

  it('a store that grows mid-read: what lands after the cursor is read, nothing is read twice', async () => {
    const who = [...readerStored.links].find((l) => l.ready)!.who
    const seen: string[] = []
    const before: string[] = []
    const after: string[] = []
    let pages = 0
    await readerStored.collect(who, (ihs) => {
      seen.push(...ihs.map(hex))
      if (++pages !== 3) return
      // After the third page: 40 new infohashes, about a third of them behind the cursor.
      const cursor = seen.at(-1)!
      for (let i = 0; i < 40; i++) {
        const ih = randomBytes(20)
        holder.dht.storePeer(ih, { host: '127.0.0.1', port: 6881 })
        ;(hex(ih) < cursor ? before : after).push(hex(ih))
      }
    })
    expect(before.length).toBeGreaterThan(0)
    expect(after.length).toBeGreaterThan(0)
    expect(seen).toEqual([...new Set(seen)].sort()) // still ascending, no repeats
    const got = new Set(seen)
    expect(mine.every((ih) => got.has(hex(ih)))).toBe(true) // what was stored throughout: all of it
    expect(after.every((ih) => got.has(ih))).toBe(true) // new, after the cursor: read
    expect(before.some((ih) => got.has(ih))).toBe(false) // new, behind it: for the next read
  })

  it('a stock BEP 51 client asking the same member gets the standard bounded random sample', async () => {
    const stock = net.stocks[1]!
    const r = await new Promise<Record<string, unknown>>((resolve, reject) =>
      stock._rpc.query(
        { host: '127.0.0.1', port: holder.dht.address()!.port },
        { q: 'sample_infohashes', a: { id: stock._rpc.id, target: randomBytes(20) } },
        (err, res) => (err ? reject(err) : resolve(res!.r!)),
      ),
    )
    const reply = decodeSampleReply(r as BDict)
    const all = new Set(holder.dht.storedInfohashes().map(hex))
    // (A rendezvous announce may land between the sample and this read.)
    expect(reply.num).toBeGreaterThanOrEqual(STORED)
    expect(reply.num).toBeLessThanOrEqual(all.size)
    // BEP 51's bounded random sample (ours: 40 per interval), never the whole store.
    expect(reply.samples.length).toBe(constants.MAX_SAMPLES)
    expect(reply.samples.length).toBeLessThan(all.size)
    for (const s of reply.samples) expect(all.has(hex(s))).toBe(true)
    expect(reply.interval).toBeGreaterThanOrEqual(0)
    expect(reply.nodes.length).toBeGreaterThan(0)
  })

  it('on link, the pool read the store and offered the infohashes it owns as pooled samples', async () => {
    const owned = mine.filter((ih) => readerPool.ownership.ownerOf(ih).self).map(hex)
    expect(owned.length).toBeGreaterThan(0)
    expect(owned.length).toBeLessThan(STORED)
    const storer = `127.0.0.1:${holder.dht.address()!.port}`
    const fromStore = (): Set<string> =>
      new Set(offered.filter((o) => o.via === 'sample' && o.storer === storer && o.pooled).map((o) => o.ih))
    await until('the owned part of the store offered', 20_000, () => owned.every((ih) => fromStore().has(ih)))
    // Only what we own: the rest its owner (the holder, here) triages itself.
    for (const ih of fromStore()) expect(readerPool.ownership.ownerOf(Buffer.from(ih, 'hex')).self).toBe(true)
    expect(readerPool.counters.storedRead).toBeGreaterThanOrEqual(STORED)
    expect(readerPool.counters.storedOwned).toBeGreaterThanOrEqual(owned.length)
  })
})
