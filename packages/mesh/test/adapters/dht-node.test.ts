import { createDhtTestnet } from '@bbmesh/dht'
import { afterEach, describe, expect, it } from 'vitest'
import { dhtNodeAdapter } from '../../src/adapters/dht-node.js'
import type { Observation } from '../../src/harvester/types.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined)
})

describe('dhtNodeAdapter', () => {
  it('walks, samples, looks peers up, and observes get_peers until unsubscribed', async () => {
    const net = await createDhtTestnet(5)
    cleanups.push(() => net.destroy())
    const [a, b] = [net.nodes[0]!, net.nodes[1]!]
    const dht = dhtNodeAdapter([a, b])
    const seen: Observation[] = []
    const off = dht.observe((o) => seen.push(o))

    const walked = await dht.findNodes(new Uint8Array(20).fill(0x42))
    expect(walked.length).toBeGreaterThanOrEqual(3)
    expect(walked.every((n) => n.host === '127.0.0.1' && n.port > 0)).toBe(true)
    expect([...dht.contacts!()].length).toBeGreaterThan(0)

    const ih = Buffer.alloc(20, 7)
    await net.nodes[2]!.announce(ih, 4242)
    const peers = await dht.getPeers(ih)
    expect(peers.some((p) => p.port === 4242)).toBe(true)
    expect(seen.some((o) => o.via === 'get_peers' || o.via === 'announce')).toBe(true)

    const c = net.nodes[3]!.address()!
    const reply = await dht.sample({ host: '127.0.0.1', port: c.port }, new Uint8Array(20))
    expect(reply.samples.some((s) => Buffer.from(s).equals(ih))).toBe(true)
    expect(reply.interval).toBeGreaterThanOrEqual(0)
    // The node whose sample listed it stores its peers: one get_peers to it finds the announcer.
    const fromStorer = await dht.getPeersFrom!({ host: '127.0.0.1', port: c.port }, ih)
    expect(fromStorer.map((p) => p.port)).toContain(4242)
    expect(await dht.getPeersFrom!({ host: '127.0.0.1', port: c.port }, Buffer.alloc(20, 9))).toEqual([])

    off()
    const before = seen.length
    await net.nodes[4]!.lookup(Buffer.alloc(20, 8))
    expect(seen.length).toBe(before)
  })
})
