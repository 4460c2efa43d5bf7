// The loopback testnet over real UDP and TCP: layout, announces that an independent node can look
// up, metadata the seeds really serve (ours and stock), reproducibility, churn, and destroy().
import { parseInfoDict } from '@bbmesh/catalog'
import type { DhtNode } from '@bbmesh/dht'
import { fetchMetadata } from '@bbmesh/wire'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestnet, type Testnet } from '../src/index.js'
import { liveResources, observer, waitFor } from './helpers.js'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!()
})
async function testnet(...args: Parameters<typeof createTestnet>): Promise<Testnet> {
  const tn = await createTestnet(...args)
  cleanup.push(() => tn.destroy())
  return tn
}

describe('createTestnet', () => {
  it('builds stock and bbmesh nodes on loopback; every announce can be looked up and fetched', async () => {
    const tn = await testnet({ nodes: 24, torrents: 24, seeds: 6, seed: 7 })
    const s = tn.stats()
    expect(s.nodes).toEqual({ bbmesh: 16, stock: 8 })
    expect(s.seeds).toMatchObject({ bbmesh: 4, stock: 2 })
    expect(s.torrents).toMatchObject({ total: 24, announced: 24 })
    expect(s.torrents.v1 > 0 && s.torrents.v2 > 0 && s.torrents.hybrid > 0).toBe(true)
    expect(tn.bootstrap).toHaveLength(2)
    for (const b of tn.bootstrap) expect(b).toMatch(/^127\.0\.0\.1:\d+$/)
    for (const n of tn.nodes) expect(n.routingTableSize()).toBeGreaterThan(0)
    // Stock seeds hold only what stock ut_metadata can serve (SHA-1 verified).
    for (const seed of tn.seeds.filter((x) => x.kind === 'stock'))
      for (const t of seed.torrents) expect(t.infohash).toBe(t.infohashV1)

    const obs: DhtNode = await observer(tn.bootstrap)
    cleanup.push(() => obs.destroy())
    for (const t of tn.torrents) {
      const seed = tn.seeds[t.seed]!
      const peers = await obs.lookup(Buffer.from(t.infohash, 'hex'))
      expect(peers).toContainEqual({ host: '127.0.0.1', port: seed.port })
    }
    // One torrent per seed: BEP 9 from the seed (ours or stock) gives back exactly the ground truth.
    for (const seed of tn.seeds) {
      const t = seed.torrents[0]!
      const r = await fetchMetadata({
        infoHash: t.infohash,
        peers: [{ host: '127.0.0.1', port: seed.port }],
        timeoutMs: 5000,
      })
      expect(Buffer.from(r.info).equals(Buffer.from(t.info))).toBe(true)
      const parsed = parseInfoDict(r.info)
      expect(Buffer.from(parsed.name).toString()).toBe(t.name)
      expect(
        parsed.files.map((f) => [f.path.map((p) => Buffer.from(p).toString()).join('/'), f.size]),
      ).toEqual(t.files.map((f) => [f.path, f.size]))
    }
  })

  it('is reproducible: same seed, same torrents and node ids; another seed, others', async () => {
    const opts = { nodes: 4, torrents: 6, seeds: 2, announce: false }
    const a = await testnet({ ...opts, seed: 42 })
    const b = await testnet({ ...opts, seed: 42 })
    const c = await testnet({ ...opts, seed: 43 })
    const view = (tn: Testnet): unknown => ({
      torrents: tn.torrents.map((t) => [t.infohash, t.version, t.name, t.files, t.seed]),
      nodes: tn.nodes.map((n) => [n.kind, n.id.toString('hex')]),
    })
    expect(view(a)).toEqual(view(b))
    expect(a.torrents.map((t) => t.infohash)).not.toEqual(c.torrents.map((t) => t.infohash))
    expect(a.announced()).toEqual([])
  })

  it('churn replaces unprotected nodes and keeps the size; seeds stay reachable', async () => {
    const tn = await testnet({ nodes: 16, torrents: 8, seeds: 2, seed: 3, churnIntervalMs: 150 })
    const before = new Set(tn.nodes)
    const keep = [...tn.seeds.map((s) => s.node)]
    await waitFor(() => tn.stats().churn.joined >= 3, 10_000, 'three churn steps')
    expect(tn.nodes).toHaveLength(16)
    expect(tn.nodes.filter((n) => !before.has(n)).length).toBeGreaterThanOrEqual(2)
    for (const n of keep) expect(tn.nodes).toContain(n)
    expect(tn.stats().nodes).toEqual({ bbmesh: 11, stock: 5 })
    const t = tn.torrents[0]!
    const r = await fetchMetadata({
      infoHash: t.infohash,
      peers: [{ host: '127.0.0.1', port: tn.seeds[t.seed]!.port }],
      timeoutMs: 5000,
    })
    expect(r.info.length).toBe(t.info.length)
  })

  it('destroy() releases every socket and timer, and is idempotent', async () => {
    await new Promise((r) => setTimeout(r, 50))
    const baseline = liveResources()
    const tn = await createTestnet({
      nodes: 10,
      torrents: 6,
      seeds: 3,
      churnIntervalMs: 100,
      reannounceMs: 300,
    })
    expect(liveResources().get('UDPWrap') ?? 0).toBeGreaterThanOrEqual(10 + (baseline.get('UDPWrap') ?? 0))
    await waitFor(() => tn.stats().churn.joined >= 1, 10_000, 'a churn step')
    await Promise.all([tn.destroy(), tn.destroy()])
    await tn.destroy()
    const same = (): boolean => {
      const now = liveResources()
      return [...new Set([...now.keys(), ...baseline.keys()])].every(
        (k) => (now.get(k) ?? 0) <= (baseline.get(k) ?? 0),
      )
    }
    await waitFor(same, 3000, `resources back to baseline (${JSON.stringify([...liveResources()])})`)
    await expect(tn.announce()).rejects.toMatchObject({ code: 'ERR_TESTNET_DESTROYED' })
  })

  it('rejects bad options with a named error', async () => {
    await expect(createTestnet({ nodes: 0 })).rejects.toMatchObject({
      name: 'TestnetError',
      code: 'ERR_TESTNET_OPTIONS',
    })
    await expect(createTestnet({ stockShare: 2 })).rejects.toMatchObject({ code: 'ERR_TESTNET_OPTIONS' })
    await expect(createTestnet({ v2Share: 0.7, hybridShare: 0.7 })).rejects.toMatchObject({
      code: 'ERR_TESTNET_OPTIONS',
    })
  })
})
