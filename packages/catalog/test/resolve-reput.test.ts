// A seeding resolver keeps the publisher's BEP 46 pointer alive by re-putting the signed item it
// resolved. The publisher and every node that stored its put are destroyed, so after that only the
// seeder's re-puts can make the pointer resolvable, on nodes that joined later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DhtNode } from '@bbmesh/dht'
import { createDhtTestnet, mutableTarget } from '@bbmesh/dht'
import { PieceServer } from '@bbmesh/wire'
import {
  CatalogPublisher,
  CatalogSeeder,
  libraryFromIndex,
  mintPublisherKey,
  resolveCatalog,
  type RePutResult,
} from '../src/index.js'
import { library } from './catalog-entries.js'
import { LoopbackWorld } from './loopback-world.js'

const world = new LoopbackWorld()
// Short query timeouts: the test destroys nodes that the others still have in their tables.
const TIMEOUT_MS = 400
beforeAll(async () => {
  world.testnet = await createDhtTestnet(12, { timeoutMs: TIMEOUT_MS })
})
afterAll(async () => {
  await world.close()
})

const node = (bootstrap: string[], nodeId?: Buffer): Promise<DhtNode> =>
  world.dhtNodeWith({ bootstrap, ...(nodeId !== undefined && { nodeId }), timeoutMs: TIMEOUT_MS })
const hostPort = (n: DhtNode): string => `127.0.0.1:${n.address()!.port}`

describe('a seeding resolver re-puts the signed pointer', () => {
  it('keeps the pointer resolvable after the publisher and its storers are gone; never overwrites a newer seq', async () => {
    const net = world.testnet!
    const pubDir = await world.dir()
    const key = await mintPublisherKey(pubDir)
    const target = mutableTarget(Buffer.from(key.publicKey), Buffer.from('library'))
    // The resolver's id is as far from the pointer's target as can be, so it never stores the
    // publisher's put itself (then only its re-puts can keep the pointer alive).
    const farId = Buffer.from(target)
    farId[0] = farId[0]! ^ 0xff
    const resDht = await node(net.bootstrap, farId)
    const pubDht = await node(net.bootstrap)
    const publisher = new CatalogPublisher({
      dht: pubDht,
      key,
      dataDir: pubDir,
      host: '127.0.0.1',
      salt: 'library',
    })
    world.closers.push(() => publisher.stop())
    const lib = library(200)
    const p1 = await publisher.publish(lib)
    expect(p1.seq).toBe(1)

    const resDir = await world.dir()
    const r = await resolveCatalog({
      dht: resDht,
      index: await world.index(),
      dataDir: resDir,
      publicKey: key.publicKey,
      salt: 'library',
      timeoutMs: 5000,
    })
    expect(r).toMatchObject({ seq: 1, infohash: p1.infohash })
    const server = new PieceServer()
    world.closers.push(() => server.close())
    const events: RePutResult[] = []
    const seeder = new CatalogSeeder({
      dht: resDht,
      dataDir: resDir,
      publicKey: key.publicKey,
      salt: 'library',
      server,
      host: '127.0.0.1',
      reannounceIntervalMs: 300,
      onRePut: (e) => events.push(e),
    })
    world.closers.push(() => seeder.stop())
    // First re-put at seed time.
    const seeded = await seeder.seed()
    expect(seeded.rePut).toMatchObject({ status: 'stored', seq: 1 })
    expect(seeded.rePut.stored).toBeGreaterThan(0)

    // The publisher and every node that stored the pointer (its put or the first re-put) go away.
    await publisher.stop()
    const all = [...net.nodes, ...world.nodes].filter((n) => n !== resDht && n.address())
    const storers = all.filter((n) => n.hasItem(target))
    expect(storers.length).toBeGreaterThan(0)
    await Promise.all([pubDht, ...storers].map((n) => n.destroy()))
    // Nodes that never saw the publisher's put join, then the seeder's interval re-puts.
    const fresh = await Promise.all(Array.from({ length: 8 }, () => node([hostPort(resDht)])))
    const before = events.length
    seeder.start()
    await until(() => events.slice(before).some((e) => e.status === 'stored'), 10_000)
    expect(fresh.filter((n) => n.hasItem(target)).length).toBeGreaterThan(0)
    const stats = seeder.rePutStats()
    expect(stats.stored).toBeGreaterThanOrEqual(2)
    expect(stats.failed).toBe(0)

    // A resolver that joined after all this resolves the pointer and fetches the catalog from the seeder.
    const late = await node([hostPort(fresh[0]!)])
    // The seeder's announces go on past the churn: its last lookup's nodes are gone, so the DHT
    // engine looks the catalog up afresh (once, under CI load, they had failed and the late
    // resolver found only the stopped publisher's address).
    expect(await seeder.announce()).toBeGreaterThan(0)
    const lateIndex = await world.index()
    const r2 = await resolveCatalog({
      dht: late,
      index: lateIndex,
      dataDir: await world.dir(),
      publicKey: key.publicKey,
      salt: 'library',
      timeoutMs: 5000,
    })
    expect(r2).toMatchObject({ seq: 1, infohash: p1.infohash, imported: 200 })
    expect((await libraryFromIndex(lateIndex)).length).toBe(200)
    expect(server.stats.piecesServed).toBeGreaterThan(0)

    // The publisher comes back with seq 2: the seeder's seq 1 never replaces it.
    const pub2 = new CatalogPublisher({
      dht: await node([hostPort(fresh[1]!)]),
      key,
      dataDir: pubDir,
      host: '127.0.0.1',
      salt: 'library',
    })
    world.closers.push(() => pub2.stop())
    const p2 = await pub2.publish(library(201))
    expect(p2.seq).toBe(2)
    const again = await seeder.rePut()
    expect(again).toMatchObject({ status: 'newer', seq: 1, newerSeq: 2, stored: 0 })
    // Two more interval re-puts after it, both seeing seq 2. Waited for, not timed: under load an
    // interval re-put that began before seq 2 was stored may still land after `again` and report
    // 'stored'; and `again` may itself be among the events, so they are counted after it.
    const afterAgain = events.length
    const twoNewer = (): boolean => events.slice(afterAgain).filter((e) => e.status === 'newer').length >= 2
    await until(twoNewer, 10_000)
    expect(twoNewer()).toBe(true)
    const now = await late.getPointer(Buffer.from(key.publicKey), Buffer.from('library'))
    expect(now!.seq).toBe(2)
    expect(Buffer.from(now!.infoHash).toString('hex')).toBe(p2.infohash)
    expect(seeder.rePutStats().newer).toBeGreaterThanOrEqual(3)
    await seeder.stop()
  })
})

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}
