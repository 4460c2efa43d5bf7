import { buildTorrent } from '@bbmesh/catalog'
import { openIndex, type PooledIndex } from '@bbmesh/index'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { ClosedError } from '../../src/errors.js'
import { createHarvester, type Harvester, type HarvesterOptions } from '../../src/harvester/harvester.js'
import { toHex } from '../../src/hex.js'
import { seededUniform } from '../../src/random.js'
import { FakeDht, FakeFetcher, key } from './fakes.js'

const peer = (n: number) => ({ host: '10.0.0.' + n, port: 6881 })
const node = (n: number) => ({ host: '10.1.0.' + n, port: 6881 })

async function torrent(name: string) {
  const data = new TextEncoder().encode(`${name} `.repeat(100))
  const built = await buildTorrent({
    name,
    files: [
      { path: ['a.txt'], data },
      { path: ['dir', 'b.bin'], data: data.subarray(0, 77) },
    ],
  })
  return { ...built, ih: built.infohashV1! }
}

let clock: ManualClock
let dht: FakeDht
let fetcher: FakeFetcher
let index: PooledIndex
let harvester: Harvester | undefined

beforeEach(async () => {
  clock = new ManualClock(1_700_000_000_000)
  dht = new FakeDht(() => clock.now())
  fetcher = new FakeFetcher()
  index = await openIndex({ path: ':memory:' })
})

afterEach(async () => {
  await harvester?.stop().catch(() => undefined)
  harvester = undefined
  await index.close()
})

function start(opts: Partial<HarvesterOptions> = {}): Harvester {
  harvester = createHarvester({
    dht,
    fetcher,
    index,
    clock,
    random: seededUniform(1),
    discoveryIntervalMs: 0,
    samplesPerSecond: 0,
    persistFlushMs: 500,
    backoffBaseMs: 1_000,
    backoffMaxMs: 1_000,
    ...opts,
  })
  harvester.start()
  return harvester
}

describe('harvester pipeline', () => {
  it('turns an observed announce into a torrent in the index, with its files and raw metadata', async () => {
    const t = await torrent('observed')
    fetcher.serve(peer(1), t.ih, t.info)
    dht.swarms.set(toHex(t.ih), [peer(1)])
    const h = start()
    dht.emit({ infohash: t.ih, via: 'announce', from: node(9) })
    await clock.advance(1_000)
    const row = await index.get(t.ih)
    expect(row?.name).toBe('observed')
    expect(row?.files.map((f) => [f.path, f.size])).toEqual([
      ['a.txt', 900],
      ['dir/b.bin', 77],
    ])
    expect(row?.source).toBe('dht')
    expect((await index.stats()).cachedMetadata).toBe(1)
    const s = h.stats()
    expect(s.observed.announce).toBe(1)
    expect(s.fetch.ok).toBe(1)
    expect(s.newInfohashes).toBe(1)
    expect(s.persist.sightings.written).toBe(1)
    expect(s.nodes.known).toBe(1) // the announcing node joined the book
  })

  it('records swarm liveness for fetched torrents: when and how many distinct peers get_peers found', async () => {
    const t = await torrent('alive')
    fetcher.serve(peer(2), t.ih, t.info)
    // peer(1) has no metadata and is listed twice: three entries, two distinct peers.
    dht.swarms.set(toHex(t.ih), [peer(1), peer(1), peer(2)])
    const h = start()
    dht.emit({ infohash: t.ih, via: 'get_peers', from: node(9) })
    const fetchedAt = clock.now()
    await clock.advance(1_000)
    await clock.advance(1_000)
    const row = await index.get(t.ih)
    expect(row?.peersSeen).toBe(2)
    expect(row?.lastAlive?.getTime()).toBe(Math.floor(fetchedAt / 1000) * 1000)
    const s = h.stats()
    expect(s.fetch.alive).toBe(1)
    expect(s.persist.liveness?.written).toBe(1)
    const page = await index.search({ text: 'alive', aliveSince: new Date(fetchedAt - 60_000) })
    expect(page.hits.map((x) => x.name)).toEqual(['alive'])
  })

  it('records no liveness, and still harvests, with an index that cannot record it', async () => {
    const t = await torrent('quiet')
    fetcher.serve(peer(1), t.ih, t.info)
    dht.swarms.set(toHex(t.ih), [peer(1)])
    // An index without recordLiveness (an older or custom store).
    const plain = {
      has: index.has.bind(index),
      ingest: index.ingest.bind(index),
      recordSightings: index.recordSightings.bind(index),
    }
    const h = start({ index: plain })
    dht.emit({ infohash: t.ih, via: 'get_peers', from: node(9) })
    await clock.advance(1_000)
    expect((await index.get(t.ih))?.name).toBe('quiet')
    expect((await index.get(t.ih))?.lastAlive).toBeNull()
    expect(h.stats().persist.liveness).toBeUndefined()
    expect(h.stats().fetch.alive).toBe(0)
  })

  it('skips what the index already holds and what is in flight', async () => {
    const t = await torrent('known')
    await index.ingest([
      { infohashV1: t.ih, name: 'known', files: [{ path: 'x', size: 1 }], source: 'import' },
    ])
    const h = start()
    for (let i = 0; i < 3; i++) dht.emit({ infohash: t.ih, via: 'get_peers', from: node(1) })
    await clock.advance(1_000)
    expect(dht.getPeersCalls).toEqual([])
    expect(h.stats().triage).toMatchObject({ 'known-index': 1, 'known-bloom': 2 })
    expect((await index.get(t.ih))?.seenCount).toBeGreaterThanOrEqual(3)
  })

  it('retries with backoff, then the failure cache keeps a dead infohash from being retried', async () => {
    const dead = (await torrent('dead')).ih
    const h = start({ fetchAttempts: 3, failureBaseTtlMs: 60_000, failureMaxTtlMs: 60_000 })
    dht.emit({ infohash: dead, via: 'get_peers', from: node(1) })
    await clock.advance(10_000)
    expect(dht.getPeersCalls).toHaveLength(3)
    let s = h.stats()
    expect(s.fetch.failed['no-peers']).toBe(1)
    expect(s.fetch.retries).toBe(2)
    expect(s.failureCache.size).toBe(1)
    dht.emit({ infohash: dead, via: 'get_peers', from: node(1) })
    await clock.advance(10_000)
    expect(dht.getPeersCalls).toHaveLength(3)
    expect(h.stats().triage.failed).toBe(1)
    await clock.advance(60_000)
    dht.emit({ infohash: dead, via: 'get_peers', from: node(1) })
    await clock.advance(10_000)
    s = h.stats()
    expect(dht.getPeersCalls).toHaveLength(6)
    expect(s.fetch.failed['no-peers']).toBe(2)
  })

  it('moves on from a peer that sends the wrong metadata or never answers', async () => {
    const good = await torrent('good')
    const other = await torrent('other')
    fetcher.serve(peer(1), good.ih, other.info) // hashes to something else
    fetcher.silent.add(key(peer(2)))
    fetcher.serve(peer(3), good.ih, good.info)
    dht.swarms.set(toHex(good.ih), [peer(1), peer(2), peer(3)])
    const onlyBad = await torrent('only-bad')
    fetcher.serve(peer(4), onlyBad.ih, other.info)
    dht.swarms.set(toHex(onlyBad.ih), [peer(4)])
    const h = start({ peerTimeoutMs: 2_000 })
    dht.emit({ infohash: good.ih, via: 'get_peers', from: node(1) })
    dht.emit({ infohash: onlyBad.ih, via: 'get_peers', from: node(1) })
    await clock.advance(5_000)
    expect((await index.get(good.ih))?.name).toBe('good')
    expect(await index.get(onlyBad.ih)).toBeUndefined()
    const s = h.stats()
    expect(s.fetch.ok).toBe(1)
    expect(s.fetch.failed['bad-metadata']).toBe(1)
    expect(s.fetch.peersTried).toBe(4)
    expect(dht.getPeersCalls.filter((x) => x === toHex(onlyBad.ih))).toHaveLength(1) // not retryable
  })

  it('caps connections per peer', async () => {
    const ts = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => torrent(`t${i}`)))
    for (const t of ts) {
      fetcher.serve(peer(1), t.ih, t.info)
      dht.swarms.set(toHex(t.ih), [peer(1)])
    }
    fetcher.hold = true
    const h = start({ fetchWorkers: 6, perPeerConnections: 2 })
    for (const t of ts) dht.emit({ infohash: t.ih, via: 'announce', from: node(1) })
    await clock.advance(100)
    expect(fetcher.active.get(key(peer(1)))).toBe(2)
    expect(h.stats().peerSlots.waiting).toBe(4)
    fetcher.release()
    await clock.advance(1_000)
    expect(fetcher.maxActivePerPeer).toBe(2)
    expect(h.stats().fetch.ok).toBe(6)
    expect((await index.stats()).torrents).toBe(6)
  })

  it('samples nodes with BEP 51, never sooner than their interval, per the resample policy', async () => {
    const ih = [await torrent('s1'), await torrent('s2')].map((t) => t.ih)
    dht.addNode(node(1), ih, 600)
    dht.addNode(node(2), [], 600)
    dht.table = [node(1), node(2)]
    const h = start({ samplesPerSecond: 10, resample: 'always', minSampleIntervalS: 60 })
    await clock.advance(1_000)
    expect(dht.sampleCalls.map((c) => c.node).sort()).toEqual([key(node(1)), key(node(2))])
    await clock.advance(590_000)
    expect(dht.sampleCalls).toHaveLength(2)
    await clock.advance(20_000)
    expect(dht.sampleCalls).toHaveLength(4)
    const again = dht.sampleCalls.filter((c) => c.node === key(node(1)))
    expect(again[1]!.at - again[0]!.at).toBeGreaterThanOrEqual(600_000)
    const s = h.stats()
    expect(s.sampler.infohashesSampled).toBe(4)
    expect(s.triage.new).toBe(2)
    expect(s.observed.get_peers).toBe(0)
  })

  it("'once' samples a node once; 'productive' re-samples only while it yields new infohashes", async () => {
    dht.addNode(node(1), [(await torrent('p1')).ih], 60)
    dht.table = [node(1)]
    start({ samplesPerSecond: 10, resample: 'once', minSampleIntervalS: 60 })
    await clock.advance(600_000)
    expect(dht.sampleCalls).toHaveLength(1)
    await harvester!.stop()

    dht.sampleCalls.length = 0
    // Same index: without resumePending: 0 the first run's sighting would be re-queued, so the
    // second run's first sample would not be new.
    start({ samplesPerSecond: 10, resample: 'productive', minSampleIntervalS: 60, resumePending: 0 })
    await clock.advance(600_000)
    // First sample yields a new infohash, the second yields nothing new, so it is retired.
    expect(dht.sampleCalls).toHaveLength(2)
    expect(harvester!.stats().nodes.retired).toBe(1)
  })

  it('samples nodes revealed by PORT first, and discovers nodes by find_node walks', async () => {
    for (let i = 1; i <= 5; i++) dht.addNode(node(i), [])
    dht.addNode(node(99), [])
    dht.table = [node(1), node(2), node(3), node(4), node(5)]
    const h = start({ samplesPerSecond: 1, sampleConcurrency: 1, discoveryIntervalMs: 5_000 })
    fetcher.revealPort(node(99))
    await clock.advance(1_000)
    expect(dht.sampleCalls[0]?.node).toBe(key(node(99)))
    await clock.advance(10_000)
    expect(dht.walks).toBeGreaterThanOrEqual(2)
    expect(h.stats().nodes.known).toBe(6)
  })

  it('stop() flushes every accepted batch, releases every timer, and is idempotent', async () => {
    const t = await torrent('flushed')
    fetcher.serve(peer(1), t.ih, t.info)
    dht.swarms.set(toHex(t.ih), [peer(1)])
    dht.table = [node(1)]
    const h = start({
      persistBatch: 1_000,
      persistFlushMs: 3_600_000,
      samplesPerSecond: 5,
      discoveryIntervalMs: 1_000,
    })
    dht.emit({ infohash: t.ih, via: 'announce', from: node(2) })
    await clock.advance(100)
    expect(h.stats().queues.torrents).toBe(1)
    expect(await index.get(t.ih)).toBeUndefined()
    await Promise.all([h.stop(), h.stop()])
    await h.stop()
    expect((await index.get(t.ih))?.name).toBe('flushed')
    expect(h.stats().running).toBe(false)
    expect(clock.pending).toBe(0)
    expect(dht.listeners.size).toBe(0)
    expect(() => h.start()).toThrow(ClosedError)
  })

  it('hands the most-sighted candidate to a free worker first', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(torrent))
    for (const t of [a!, b!, c!]) {
      fetcher.serve(peer(1), t.ih, t.info)
      dht.swarms.set(toHex(t.ih), [peer(1)])
    }
    fetcher.hold = true
    start({ fetchWorkers: 1 })
    dht.emit({ infohash: a!.ih, via: 'get_peers', from: node(1) })
    await clock.advance(10)
    dht.emit({ infohash: b!.ih, via: 'get_peers', from: node(1) })
    for (let i = 0; i < 3; i++) dht.emit({ infohash: c!.ih, via: 'get_peers', from: node(i + 2) })
    await clock.advance(10)
    fetcher.release()
    await clock.advance(10)
    fetcher.release()
    await clock.advance(10)
    fetcher.release()
    await clock.advance(10)
    expect(dht.getPeersCalls).toEqual([a!.ih, c!.ih, b!.ih].map(toHex))
  })

  it('stop() does not hang when the index keeps failing, and reports what it could not write', async () => {
    const t = await torrent('unwritable')
    fetcher.serve(peer(1), t.ih, t.info)
    dht.swarms.set(toHex(t.ih), [peer(1)])
    const errors: unknown[] = []
    const broken = {
      has: (ih: Uint8Array) => index.has(ih),
      ingest: () => Promise.reject(new Error('disk full')),
      recordSightings: () => Promise.reject(new Error('disk full')),
    }
    const h = start({ index: broken, persistBatch: 1, onError: (e) => errors.push(e) })
    // More sightings than the sightings persister may buffer (5 per batch, 50 buffered): triage blocks.
    for (let i = 0; i < 100; i++) dht.emit({ infohash: t.ih, via: 'get_peers', from: node((i % 250) + 1) })
    await clock.advance(2_000)
    expect(h.stats().persist.errors).toBeGreaterThan(0)
    expect(h.stats().queues.sightings).toBeGreaterThan(0)
    const err = await h.stop().catch((e: unknown) => e)
    expect((err as Error).name).toBe('PersistError')
    expect(h.stats().sightings.unrecorded).toBeGreaterThan(0)
    expect(errors.length).toBeGreaterThan(0)
    expect(clock.pending).toBe(0)
  })

  it('offer() queues an infohash learned elsewhere; onTorrent hears of each accepted torrent', async () => {
    const t = await torrent('gossiped')
    fetcher.serve(peer(1), t.ih, t.info)
    dht.swarms.set(toHex(t.ih), [peer(1)])
    const heard: string[] = []
    const h = start({ onTorrent: (x) => heard.push(Buffer.from(x.name as Uint8Array).toString()) })
    expect(h.offer(t.ih, 'gossip', 'member-1')).toBe(true)
    expect(h.offer(new Uint8Array(7))).toBe(false)
    await clock.advance(1_000)
    expect(heard).toEqual(['gossiped'])
    expect((await index.get(t.ih))?.name).toBe('gossiped')
    expect(h.stats().observed.invalid).toBe(1)
    await h.stop()
    expect(h.offer(t.ih)).toBe(false)
  })

  it('re-queues sightings an earlier run left without metadata, without recording them again', async () => {
    const t = await torrent('resumed')
    const dead = await torrent('never-served')
    // An earlier run sighted both and fetched neither.
    await index.recordSightings([
      { infohash: t.ih, via: 'sample', fromNode: '10.1.0.1:6881' },
      { infohash: t.ih, via: 'get_peers' },
      { infohash: dead.ih, via: 'announce' },
    ])
    fetcher.serve(peer(1), t.ih, t.info)
    dht.swarms.set(toHex(t.ih), [peer(1)])
    const h = start()
    await clock.advance(1_000)
    expect((await index.get(t.ih))?.name).toBe('resumed')
    // The earlier run's two sightings plus the ingest itself; re-queueing recorded no third sighting.
    expect((await index.get(t.ih))?.seenCount).toBe(3)
    expect(h.stats().resumed).toBe(2)
    expect(h.stats().newInfohashes).toBe(0)
    await h.stop()
    const left = await index.pendingSightings(10)
    expect(left.map((p) => toHex(p.infohash))).toEqual([toHex(dead.ih)])
    expect(left[0]!.count).toBe(1)
  })

  it('resumePending: 0 leaves earlier sightings alone', async () => {
    const t = await torrent('left-alone')
    await index.recordSightings([{ infohash: t.ih, via: 'sample' }])
    fetcher.serve(peer(1), t.ih, t.info)
    dht.swarms.set(toHex(t.ih), [peer(1)])
    const h = start({ resumePending: 0 })
    await clock.advance(1_000)
    expect(h.stats().resumed).toBe(0)
    expect(await index.has(t.ih)).toBe(false)
    await h.stop()
  })

  it('fetches from the announcer of an observed announce_peer without a lookup, else falls back to one', async () => {
    const direct = await torrent('direct')
    fetcher.serve(peer(1), direct.ih, direct.info)
    const fallback = await torrent('fallback')
    fetcher.serve(peer(3), fallback.ih, fallback.info)
    dht.swarms.set(toHex(fallback.ih), [peer(3)])
    const h = start()
    dht.emit({ infohash: direct.ih, via: 'announce', from: node(1), peer: peer(1) })
    dht.emit({ infohash: fallback.ih, via: 'announce', from: node(2), peer: peer(2) }) // peer(2) has nothing
    await clock.advance(1_000)
    expect((await index.get(direct.ih))?.name).toBe('direct')
    expect((await index.get(fallback.ih))?.name).toBe('fallback')
    expect(dht.getPeersCalls).toEqual([toHex(fallback.ih)])
    expect(h.stats().fetch).toMatchObject({ ok: 2, hintedOk: 1, lookups: 1, peersTried: 3 })
  })

  it('asks the node whose sample listed an infohash for its peers before any lookup', async () => {
    const [stored, unstored] = [await torrent('stored'), await torrent('unstored')]
    fetcher.serve(peer(1), stored.ih, stored.info)
    fetcher.serve(peer(2), unstored.ih, unstored.info)
    dht.addNode(node(1), [stored.ih, unstored.ih], 600)
    dht.table = [node(1)]
    // node(1) stores peer(1) for `stored` but has lost the peers of `unstored`: that one needs a lookup.
    dht.stored.set(key(node(1)), new Map([[toHex(stored.ih), [peer(1)]]]))
    dht.swarms.set(toHex(unstored.ih), [peer(2)])
    const h = start({ samplesPerSecond: 10 })
    await clock.advance(2_000)
    expect((await index.get(stored.ih))?.name).toBe('stored')
    expect((await index.get(unstored.ih))?.name).toBe('unstored')
    expect(dht.getPeersFromCalls.sort()).toEqual(
      [`${key(node(1))} ${toHex(stored.ih)}`, `${key(node(1))} ${toHex(unstored.ih)}`].sort(),
    )
    expect(dht.getPeersCalls).toEqual([toHex(unstored.ih)])
    expect(h.stats().fetch).toMatchObject({ ok: 2, storerQueries: 2, storerOk: 1, lookups: 1 })
  })
})
