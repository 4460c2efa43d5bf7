// End to end on 127.0.0.1: a small testnet of our DHT nodes, a seed serving metadata with
// @bbmesh/wire and announcing through its own DHT node, and a harvester that ends with the torrents
// in an in-memory index. Real UDP, real TCP, real SQLite.
import { buildTorrent, type BuiltTorrent } from '@bbmesh/catalog'
import { DhtNode, createDhtTestnet, type DhtTestnet } from '@bbmesh/dht'
import { openIndex, type PooledIndex } from '@bbmesh/index'
import { MetadataServer, MetadataStore } from '@bbmesh/wire'
import { afterEach, describe, expect, it } from 'vitest'
import { dhtNodeAdapter } from '../../src/adapters/dht-node.js'
import { createWireFetcher, type WireFetcher } from '../../src/adapters/wire-fetcher.js'
import { createHarvester, type Harvester, type HarvesterOptions } from '../../src/harvester/harvester.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined)
})

async function until(what: string, ms: number, ok: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function makeTorrent(name: string): Promise<BuiltTorrent & { ih: Buffer }> {
  const built = await buildTorrent({
    name,
    files: [
      { path: ['readme.txt'], data: new TextEncoder().encode(`${name}\n`.repeat(500)) },
      { path: ['data', 'blob.bin'], data: new Uint8Array(70_000).fill(name.length) },
    ],
  })
  return { ...built, ih: Buffer.from(built.infohashV1!) }
}

interface World {
  net: DhtTestnet
  seedDht: DhtNode
  store: MetadataStore
  seedPort: number
  index: PooledIndex
  fetcher: WireFetcher
}

async function world(nodes = 6): Promise<World> {
  const net = await createDhtTestnet(nodes)
  cleanups.push(() => net.destroy())
  const seedDht = new DhtNode({ bootstrap: net.bootstrap, rateLimit: false, outboundQueriesPerSecond: false })
  cleanups.push(() => seedDht.destroy())
  const seedDhtAddr = await seedDht.listen(0, '127.0.0.1')
  await seedDht.bootstrap()
  const store = new MetadataStore()
  const server = new MetadataServer({ lookup: store, dhtPort: seedDhtAddr.port })
  cleanups.push(() => server.close())
  const { port: seedPort } = await server.listen(0, '127.0.0.1')
  const index = await openIndex({ path: ':memory:' })
  cleanups.push(() => index.close())
  const fetcher = createWireFetcher({ dhtPort: net.nodes[1]!.address()!.port })
  cleanups.push(() => fetcher.close())
  return { net, seedDht, store, seedPort, index, fetcher }
}

function harvest(w: World, extra: Partial<HarvesterOptions> = {}): Harvester {
  const h = createHarvester({
    dht: dhtNodeAdapter(w.net.nodes[1]!),
    fetcher: w.fetcher,
    index: w.index,
    discoveryIntervalMs: 500,
    samplesPerSecond: 20,
    sampleTimeoutMs: 2_000,
    minSampleIntervalS: 1,
    lookupTimeoutMs: 5_000,
    peerTimeoutMs: 3_000,
    backoffBaseMs: 200,
    backoffMaxMs: 500,
    persistFlushMs: 100,
    ...extra,
  })
  cleanups.push(() => h.stop())
  return h
}

describe('harvester on a loopback testnet', () => {
  it('observes an announce, fetches the metadata over BEP 9 and ingests the torrent', async () => {
    const w = await world()
    const t = await makeTorrent('announced-after-start')
    w.store.addInfo(t.info)
    const h = harvest(w)
    h.start()
    await w.seedDht.announce(t.ih, w.seedPort)
    await until('the torrent in the index', 15_000, async () => (await w.index.get(t.ih)) !== undefined)
    const row = (await w.index.get(t.ih))!
    expect(row.name).toBe('announced-after-start')
    expect(row.files.map((f) => [f.path, f.size])).toEqual(
      t.files.map((f) => [f.path.map((p) => Buffer.from(p).toString()).join('/'), f.size]),
    )
    expect(row.totalSize).toBe(t.totalSize)
    const s = h.stats()
    expect(s.observed.announce).toBeGreaterThanOrEqual(1)
    expect(s.fetch.ok).toBe(1)
    await h.stop()
    expect(h.stats().queues).toMatchObject({ torrents: 0, sightingWrites: 0 })
    // The seed was the swarm: its liveness went in after the torrent (stop flushes it).
    const alive = (await w.index.get(t.ih))!
    expect(alive.peersSeen).toBe(1)
    expect(alive.lastAlive).not.toBeNull()
    expect(h.stats().persist.liveness?.written).toBe(1)
  })

  it('finds an infohash announced before it started by BEP-51 sampling, and learns the seed DHT port by PORT', async () => {
    const w = await world()
    const t = await makeTorrent('announced-before-start')
    w.store.addInfo(t.info)
    await w.seedDht.announce(t.ih, w.seedPort)
    const ports: number[] = []
    w.fetcher.onDhtPort((n) => ports.push(n.port))
    const h = harvest(w)
    h.start()
    await until('the torrent in the index', 15_000, async () => (await w.index.get(t.ih)) !== undefined)
    expect((await w.index.get(t.ih))!.name).toBe('announced-before-start')
    const s = h.stats()
    expect(s.observed.announce).toBe(0)
    expect(s.sampler.infohashesSampled).toBeGreaterThanOrEqual(1)
    expect(s.triage.new).toBeGreaterThanOrEqual(1)
    // The seed's PORT message (BEP 5) named its DHT node, which went into the book as directed.
    expect(ports).toContain(w.seedDht.address()!.port)
    expect(h.stats().nodes.directed).toBeGreaterThanOrEqual(1)
    await h.stop()
    // Found by get_peers (to the sampled node or a lookup): the seed is its one live peer.
    expect((await w.index.get(t.ih))!.peersSeen).toBe(1)
  })

  it('stopped in the middle of a harvest, loses nothing it had accepted', async () => {
    const w = await world()
    const ts = await Promise.all(Array.from({ length: 12 }, (_, i) => makeTorrent(`mid-${i}`)))
    for (const t of ts) w.store.addInfo(t.info)
    const accepted: string[] = []
    // Long flush interval and big batches: everything accepted is still buffered when stop() comes.
    const h = harvest(w, {
      persistFlushMs: 3_600_000,
      persistBatch: 1_000,
      fetchWorkers: 2,
      onTorrent: (t) => accepted.push(Buffer.from(t.infohashV1!).toString('hex')),
    })
    h.start()
    await Promise.all(ts.map((t) => w.seedDht.announce(t.ih, w.seedPort)))
    await until('a few torrents accepted', 15_000, async () => accepted.length >= 3)
    expect(await w.index.stats()).toMatchObject({ torrents: 0 })
    await h.stop()
    expect(accepted.length).toBeGreaterThanOrEqual(3)
    for (const hex of accepted) expect((await w.index.get(hex))?.name).toMatch(/^mid-/)
    expect((await w.index.stats()).torrents).toBe(accepted.length)
  })
})
