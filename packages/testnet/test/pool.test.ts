// Pooled crawling on the loopback testnet (issue 12): K members of one community split the keyspace
// by node id, hand sightings and nodes to their owner, and take each other's metadata by relay, so
// every member's index ends with (nearly) everything while each torrent is fetched from its swarm
// about once. A member killed mid-crawl leaves no hole: its region falls to the others.
import { afterEach, describe, expect, it } from 'vitest'
import { Ownership } from '@bbmesh/mesh'
import {
  CoverageTracker,
  createTestnet,
  runTestnet,
  startCommunity,
  startHarvester,
  type TestnetHarvester,
} from '../src/index.js'
import { liveResources, waitFor } from './helpers.js'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!()
})

describe('pooled crawling', () => {
  it('4 members, 60 nodes (1/3 stock): every index >= 95%, <= 1.1 swarm fetches per torrent', async () => {
    const before = liveResources()
    const s = await runTestnet({
      nodes: 60,
      torrents: 150,
      seeds: 15,
      seed: 12,
      harvesters: 4,
      community: true,
      durationMs: 60_000,
    })
    expect(s.testnet.nodes.stock).toBe(20)
    for (const h of s.harvesters) expect(h.metadataCoverage, h.name).toBeGreaterThanOrEqual(0.95)
    // Four independent harvesters fetch every torrent four times (fetches/infohash 4.0 here).
    expect(s.fetchesPerInfohash).not.toBeNull()
    expect(s.fetchesPerInfohash!).toBeLessThanOrEqual(1.1)
    const pool = s.community!.pool!
    expect(pool.forwarded).toBeGreaterThan(0)
    expect(pool.relayedIn).toBeGreaterThanOrEqual(150) // at least one relayed copy per torrent or so
    expect(pool.badHash).toBe(0)
    // Honest members judge each other honest: no junk, flood or dead-sightings strike.
    expect(pool.strikes).toBe(0)
    expect(pool.membersBanned).toBe(0)
    console.log(`pool: ${JSON.stringify(pool)}, fetches/infohash ${s.fetchesPerInfohash}`)
    const same = (): boolean => [...liveResources()].every(([kind, n]) => n <= (before.get(kind) ?? 0))
    await waitFor(same, 5_000, `resources released (${JSON.stringify([...liveResources()])})`)
  }, 120_000)

  it('a member killed mid-crawl: its region is re-owned and the others still reach 95%', async () => {
    const tn = await createTestnet({ nodes: 60, torrents: 150, seeds: 15, seed: 21, announce: true })
    cleanup.push(() => tn.destroy())
    const hs: TestnetHarvester[] = []
    for (let i = 0; i < 3; i++) {
      const h = await startHarvester({
        name: `h${i}`,
        bootstrap: tn.bootstrap,
        seed: 300 + i,
        pool: {},
        autoStart: false,
      })
      cleanup.push(() => h.stop())
      hs.push(h)
    }
    const community = await startCommunity(
      hs.map((h) => ({ dht: h.nodes[0]!, pool: h.pool!, relay: h.relay! })),
    )
    cleanup.push(() => community.close())
    await waitFor(() => hs.every((h) => h.pool!.members === 2), 30_000, 'members pooling')
    for (const h of hs) h.harvester.start()

    // The victim dies once it has been handed sightings it owns (so mid-crawl, with work of its own).
    const [victim, ...survivors] = hs as [TestnetHarvester, ...TestnetHarvester[]]
    await waitFor(() => victim.pool!.counters.received > 0, 30_000, 'sightings handed to the victim')
    await community.meshes[0]!.close()
    await victim.harvester.stop()
    const victimHeld = new Set(await victim.probe.withMetadata())
    await victim.stop()
    await waitFor(
      () => survivors.every((h) => h.pool!.members === 1),
      30_000,
      'the victim gone from the pool',
    )

    // The victim's region: torrents it owned while all three pooled (each member partitions by the
    // ids it derives from its node id). Some it had not fetched when it died; the survivors must.
    const ids = hs.map((h) => Buffer.from(h.nodes[0]!.nodeIdHex, 'hex'))
    const view = new Ownership(ids[1]!, victim.pool!.points)
    view.set('victim', ids[0]!, victim.pool!.points)
    view.set('other', ids[2]!, victim.pool!.points)
    const region = tn.announced().filter((t) => {
      const o = view.ownerOf(Buffer.from(t.infohash, 'hex'))
      return !o.self && o.who === 'victim'
    })
    const holds = (set: Set<string>, t: (typeof region)[number]): boolean =>
      (t.infohashV1 !== null && set.has(t.infohashV1)) || (t.infohashV2 !== null && set.has(t.infohashV2))
    const orphaned = region.filter((t) => !holds(victimHeld, t))
    expect(orphaned.length).toBeGreaterThan(0)

    const tracker = new CoverageTracker({
      torrents: () => tn.announced(),
      probes: survivors.map((h) => h.probe),
    })
    const recovered = async (): Promise<number> => {
      const held = new Set((await Promise.all(survivors.map((h) => h.probe.withMetadata()))).flat())
      return orphaned.filter((t) => holds(held, t)).length
    }
    const end = Date.now() + 90_000
    let snap = await tracker.sample()
    let got = await recovered()
    while (
      !(snap.harvesters.every((h) => h.metadataCoverage >= 0.95) && got >= 0.95 * orphaned.length) &&
      Date.now() < end
    ) {
      await new Promise((r) => setTimeout(r, 500))
      snap = await tracker.sample()
      got = await recovered()
    }
    for (const h of snap.harvesters) expect(h.metadataCoverage, h.name).toBeGreaterThanOrEqual(0.95)
    expect(got / orphaned.length).toBeGreaterThanOrEqual(0.95)
    console.log(`victim region ${region.length}, orphaned ${orphaned.length}, re-covered ${got}`)
  }, 150_000)
})
