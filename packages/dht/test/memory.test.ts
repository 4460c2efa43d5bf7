import { afterEach, describe, expect, it } from 'vitest'
import { MemoryNetwork } from '../src/transport/memory.js'
import { createDhtTestnet } from '../src/testnet.js'
import type { DhtTestnet } from '../src/testnet.js'
import { crawlRegion } from '../src/crawl.js'
import type { CrawlHit } from '../src/crawl.js'
import { inRegion } from '../src/region.js'
import { seededRandom } from '../src/rng.js'

let net: DhtTestnet | null = null
afterEach(async () => {
  await net?.destroy()
  net = null
})

describe('in-memory network', () => {
  it('runs a few hundred nodes with latency and loss; lookups find announced peers', async () => {
    const network = new MemoryNetwork({ latencyMs: [1, 4], loss: 0.01, seed: 7 })
    net = await createDhtTestnet(300, { network, batch: 100 })
    expect(network.size).toBe(300)
    const sizes = net.nodes.map((n) => n.stats().routingTableSize)
    expect(Math.min(...sizes)).toBeGreaterThan(2)
    const rnd = seededRandom(1)
    const ih = rnd.bytes(20)
    const announcer = net.nodes[17]!
    expect(await announcer.announce(ih, 5555)).toBeGreaterThan(0)
    const peers = await net.nodes[250]!.lookup(ih)
    expect(peers).toContainEqual({ host: announcer.address()!.address, port: 5555 })
    expect(network.stats.lost).toBeGreaterThan(0)
    expect(network.stats.delivered).toBeGreaterThan(1000)
  })

  it('is reproducible: the same seed gives the same node ids and addresses', async () => {
    const ids = async (): Promise<string[]> => {
      const t = await createDhtTestnet(20, { network: new MemoryNetwork({ seed: 99 }) })
      const out = t.nodes.map((n) => `${n.nodeIdHex}@${n.address()!.address}`)
      await t.destroy()
      return out
    }
    expect(await ids()).toEqual(await ids())
  })

  it('drops everything at loss=1 and delays by the configured latency', async () => {
    const lossy = new MemoryNetwork({ loss: 1, seed: 1 })
    const a = lossy.createTransport()
    const b = lossy.createTransport()
    const got: Buffer[] = []
    b.onMessage((buf) => got.push(buf))
    await a.bind(0, '0.0.0.0')
    const bAddr = await b.bind(0, '0.0.0.0')
    a.send(Buffer.from('x'), { host: bAddr.address, port: bAddr.port })
    await new Promise((r) => setTimeout(r, 10))
    expect(got.length).toBe(0)
    expect(lossy.stats.lost).toBe(1)

    const slow = new MemoryNetwork({ latencyMs: 50 })
    const c = slow.createTransport()
    const d = slow.createTransport()
    let at = 0
    d.onMessage(() => (at = Date.now()))
    await c.bind(0, '0.0.0.0')
    const dAddr = await d.bind(0, '0.0.0.0')
    const t0 = Date.now()
    c.send(Buffer.from('y'), { host: dAddr.address, port: dAddr.port })
    await new Promise((r) => setTimeout(r, 120))
    expect(at - t0).toBeGreaterThanOrEqual(49)
    await Promise.all([a.close(), b.close(), c.close(), d.close()])
  })
})

describe('region crawl', () => {
  it('finds region nodes, samples each once per interval, yields their infohashes', async () => {
    const network = new MemoryNetwork({ seed: 11 })
    net = await createDhtTestnet(200, { network, batch: 100, sampleIntervalS: 300 })
    const rnd = seededRandom(5)
    // Each node announces 3 infohashes to the closest nodes; they end up stored across the net.
    const announced = new Set<string>()
    for (const n of net.nodes.slice(0, 40)) {
      for (let i = 0; i < 3; i++) {
        const ih = rnd.bytes(20)
        announced.add(ih.toString('hex'))
        await n.announce(ih, 1000 + i)
      }
    }
    const region = { prefix: Buffer.from([0x40]), bits: 2 }
    const crawler = net.nodes[199]!
    const sampledFrom = new Map<number, number>()
    crawler.on('sample', (o) =>
      sampledFrom.set(
        o.from.port * 1e6 + hashHost(o.from.host),
        (sampledFrom.get(o.from.port * 1e6 + hashHost(o.from.host)) ?? 0) + 1,
      ),
    )
    const crawl = crawlRegion(crawler, { ...region, maxLookups: 60, idleRounds: 8 })
    const hits: CrawlHit[] = []
    for await (const hit of crawl) hits.push(hit)
    const inRegionNodes = net.nodes.filter((n) => inRegion(n.id, region) && n !== crawler)
    // Expected: infohashes held by nodes in the region.
    expect(crawl.stats.nodesInRegion).toBeGreaterThanOrEqual(inRegionNodes.length * 0.8)
    for (const h of hits) {
      expect(inRegion(h.nodeId, region)).toBe(true)
      expect(announced.has(h.infoHash.toString('hex'))).toBe(true)
    }
    expect(new Set(hits.map((h) => h.infoHash.toString('hex'))).size).toBe(hits.length)
    expect(hits.length).toBeGreaterThan(10)
    // interval=300 s: no node is sampled twice during the crawl.
    expect(Math.max(...sampledFrom.values())).toBe(1)
  })

  it('re-samples a yielding node sooner only with the opt-in eager policy', async () => {
    const network = new MemoryNetwork({ seed: 13 })
    net = await createDhtTestnet(40, { network, sampleIntervalS: 2 })
    for (const n of net.nodes.slice(0, 20)) await n.announce(network.random.bytes(20), 1)
    const maxSamplesPerNode = async (eager: number | undefined): Promise<number> => {
      const crawler = net!.nodes[39]!
      const counts = new Map<string, number>()
      const onSample = (o: { from: { host: string; port: number } }): void => {
        const k = `${o.from.host}:${o.from.port}`
        counts.set(k, (counts.get(k) ?? 0) + 1)
      }
      crawler.on('sample', onSample)
      const crawl = crawlRegion(crawler, {
        prefix: Buffer.alloc(20),
        bits: 0,
        maxDurationMs: 1200,
        idleRounds: 1000,
        minIntervalMs: 50,
        eagerResampleMs: eager,
      })
      for await (const _ of crawl) {
        // drain
      }
      crawler.off('sample', onSample)
      return Math.max(...counts.values())
    }
    // The servers' interval is 2 s: within 1.2 s a polite crawl samples each node once.
    expect(await maxSamplesPerNode(undefined)).toBe(1)
    expect(await maxSamplesPerNode(100)).toBeGreaterThan(1)
  })

  it('stops on abort and on maxInfohashes', async () => {
    const network = new MemoryNetwork({ seed: 12 })
    net = await createDhtTestnet(60, { network })
    for (const n of net.nodes.slice(0, 20)) await n.announce(network.random.bytes(20), 1)
    const crawl = crawlRegion(net.nodes[0]!, { prefix: Buffer.alloc(20), bits: 0, maxInfohashes: 3 })
    let count = 0
    for await (const _ of crawl) count++
    expect(count).toBe(3)
    const ac = new AbortController()
    ac.abort()
    const aborted = crawlRegion(net.nodes[0]!, { prefix: Buffer.alloc(20), bits: 0, signal: ac.signal })
    expect((await aborted.next()).done).toBe(true)
  })
})

function hashHost(h: string): number {
  return h.split('.').reduce((a, b) => a * 256 + Number(b), 0) % 1e6
}
