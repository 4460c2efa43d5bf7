// A small loopback world in one test: 30 DHT nodes, 3 seeds holding 10 torrents each, half of them
// announced before the harvester starts (only sampling can find those), half after. The harvester
// (two node ids) must sight ≥ 95% and ingest ≥ 90% within a budget of sample queries (work, not
// seconds), and what it ingests must match the seeds exactly.
import { buildTorrent, type BuiltTorrent } from '@bbmesh/catalog'
import { DhtNode, createDhtTestnet } from '@bbmesh/dht'
import { openIndex, type SightingInput } from '@bbmesh/index'
import { MetadataServer, MetadataStore } from '@bbmesh/wire'
import { afterEach, describe, expect, it } from 'vitest'
import { dhtNodeAdapter } from '../../src/adapters/dht-node.js'
import { createWireFetcher } from '../../src/adapters/wire-fetcher.js'
import { createHarvester } from '../../src/harvester/harvester.js'
import { toHex } from '../../src/hex.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined)
})

const NODES = 30
const SEEDS = 3
const PER_SEED = 10
/** The harvest's work budget in BEP 51 sample queries. */
const SAMPLE_QUERY_BUDGET = 300 // a full harvest took 26 here

interface Seed {
  dht: DhtNode
  port: number
  torrents: BuiltTorrent[]
}

async function startSeed(bootstrap: string[], s: number): Promise<Seed> {
  const store = new MetadataStore()
  const torrents: BuiltTorrent[] = []
  for (let i = 0; i < PER_SEED; i++) {
    const t = await buildTorrent({
      name: `seed${s}-torrent${i}`,
      files: Array.from({ length: 1 + (i % 3) }, (_, f) => ({
        path: [`dir${f}`, `file-${i}-${f}.bin`],
        data: new Uint8Array(1_000 * (f + 1) + i).fill(s * 16 + i),
      })),
    })
    store.addInfo(t.info)
    torrents.push(t)
  }
  const dht = new DhtNode({ bootstrap, rateLimit: false, outboundQueriesPerSecond: false })
  cleanups.push(() => dht.destroy())
  const dhtAddr = await dht.listen(0, '127.0.0.1')
  await dht.bootstrap()
  const server = new MetadataServer({ lookup: store, dhtPort: dhtAddr.port, maxConnectionsPerIp: 64 })
  cleanups.push(() => server.close())
  const { port } = await server.listen(0, '127.0.0.1')
  return { dht, port, torrents }
}

describe('harvester coverage on loopback', () => {
  it('sights ≥ 95% and ingests ≥ 90% of announced torrents, exactly as the seeds hold them', async () => {
    const net = await createDhtTestnet(NODES, { sampleIntervalS: 1 })
    cleanups.push(() => net.destroy())
    const seeds = await Promise.all(Array.from({ length: SEEDS }, (_, s) => startSeed(net.bootstrap, s)))
    const all = seeds.flatMap((s) => s.torrents.map((t) => ({ seed: s, t, ih: Buffer.from(t.infohashV1!) })))
    const announce = (xs: typeof all) => Promise.all(xs.map((x) => x.seed.dht.announce(x.ih, x.seed.port)))
    const before = all.filter((_, i) => i % 2 === 0)
    const after = all.filter((_, i) => i % 2 === 1)
    await announce(before)

    const index = await openIndex({ path: ':memory:' })
    cleanups.push(() => index.close())
    const sighted = new Map<string, Set<string>>()
    const tapped = {
      has: (ih: Uint8Array) => index.has(ih),
      ingest: (ts: Parameters<typeof index.ingest>[0]) => index.ingest(ts),
      recordSightings: (ss: SightingInput[]) => {
        for (const s of ss) {
          const k = toHex(s.infohash)
          sighted.set(k, (sighted.get(k) ?? new Set()).add(s.via))
        }
        return index.recordSightings(ss)
      },
    }
    const fetcher = createWireFetcher({
      dhtPort: net.nodes[1]!.address()!.port,
      host: { maxConnectionsPerIp: 64 },
    })
    cleanups.push(() => fetcher.close())
    const h = createHarvester({
      dht: dhtNodeAdapter([net.nodes[1]!, net.nodes[2]!]),
      fetcher,
      index: tapped,
      discoveryIntervalMs: 300,
      samplesPerSecond: 50,
      sampleTimeoutMs: 2_000,
      resample: 'always',
      minSampleIntervalS: 1,
      lookupTimeoutMs: 5_000,
      peerTimeoutMs: 3_000,
      backoffBaseMs: 200,
      backoffMaxMs: 1_000,
      failureBaseTtlMs: 500,
      persistFlushMs: 100,
    })
    cleanups.push(() => h.stop())
    h.start()
    await announce(after)

    const started = Date.now()
    const stored = async () => {
      let n = 0
      for (const x of all) if (await index.has(x.ih)) n++
      return n
    }
    // Bounded by work (sample queries), not seconds: a loaded machine only makes this wait longer.
    while ((await stored()) < all.length && h.stats().sampler.sampleQueries < SAMPLE_QUERY_BUDGET)
      await new Promise((r) => setTimeout(r, 100))
    await h.stop()

    const sightedShare = all.filter((x) => sighted.has(toHex(x.ih))).length / all.length
    const storedShare = (await stored()) / all.length
    expect(sightedShare).toBeGreaterThanOrEqual(0.95)
    expect(storedShare).toBeGreaterThanOrEqual(0.9)
    // Announced before the harvester listened: only BEP-51 sampling can have found these.
    const bySampling = before.filter((x) => sighted.get(toHex(x.ih))?.has('sample') === true).length
    expect(bySampling / before.length).toBeGreaterThanOrEqual(0.9)
    for (const x of all) {
      const row = await index.get(x.ih)
      if (row === undefined) continue
      expect(row.name).toBe(Buffer.from(x.t.name).toString())
      expect(row.totalSize).toBe(x.t.totalSize)
      expect(row.files.map((f) => [f.path, f.size])).toEqual(
        x.t.files.map((f) => [f.path.map((p) => Buffer.from(p).toString()).join('/'), f.size]),
      )
    }
    const s = h.stats()
    expect(s.sampler.sampleQueries).toBeGreaterThan(0)
    expect(s.sampler.sampleQueries).toBeLessThanOrEqual(SAMPLE_QUERY_BUDGET + 50) // stopped near it
    expect(s.queues).toMatchObject({ torrents: 0, sightingWrites: 0 })
    console.log(
      `coverage: sighted ${(sightedShare * 100).toFixed(0)}%, ingested ${(storedShare * 100).toFixed(0)}% ` +
        `of ${all.length} in ${Date.now() - started} ms; sample queries ${s.sampler.sampleQueries}, ` +
        `observed ${s.observed.get_peers + s.observed.announce}, fetch ok ${s.fetch.ok}, ` +
        `failed ${JSON.stringify(s.fetch.failed)}`,
    )
  }, 120_000)
})
