import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PieceServer } from '@bbmesh/wire'
import { CatalogSeeder, libraryFromIndex, resolveCatalog, type CatalogEntry } from '../src/index.js'
import { library } from './catalog-entries.js'
import { LoopbackWorld } from './loopback-world.js'

const world = new LoopbackWorld()
beforeAll(async () => {
  await world.start(8)
})
afterAll(async () => {
  await world.close()
})

const key = (e: CatalogEntry): string => e.infohashV1 ?? e.infohashV2 ?? ''
const plain = (xs: CatalogEntry[]) =>
  [...xs].sort((a, b) => (key(a) < key(b) ? -1 : 1)).map(({ source: _s, ...rest }) => rest)

describe('resolvers re-seed the catalog they fetched', () => {
  it('a second resolver fetches the catalog from the first after the publisher stopped', async () => {
    const s = await world.setup(true)
    const lib = library(400)
    const p = await s.publisher.publish(lib)

    const server = new PieceServer()
    world.closers.push(() => server.close())
    const seeder = new CatalogSeeder({
      dht: s.resDht,
      dataDir: s.resDir,
      publicKey: s.key.publicKey,
      salt: 'library',
      server,
      host: '127.0.0.1',
    })
    world.closers.push(() => seeder.stop())
    await expect(seeder.seed()).rejects.toMatchObject({ code: 'NOT_FOUND' })

    await s.resolve()
    const seeded = await seeder.seed()
    expect(seeded).toMatchObject({ seq: 1, infohash: p.infohash })
    expect(seeded.announced).toBeGreaterThan(0)
    expect(server.stats.piecesServed).toBe(0)

    // The publisher goes away (its DHT node still hands out its closed port); the pointer lives on.
    await s.publisher.stop()
    const other = await resolveCatalog({
      dht: await world.dhtNode(),
      index: await world.index(),
      dataDir: await world.dir(),
      publicKey: s.key.publicKey,
      salt: 'library',
      timeoutMs: 5000,
    }).then(async (r) => ({ r, lib: await libraryFromIndex(world.indexes.at(-1)!) }))
    expect(other.r).toMatchObject({ seq: 1, infohash: p.infohash, imported: 400 })
    expect(plain(other.lib)).toEqual(plain(lib))
    expect(server.stats.metadataPiecesServed).toBeGreaterThan(0)
    expect(server.stats.piecesServed).toBeGreaterThan(0)

    await seeder.stop()
    await seeder.stop()
    expect(server.port).toBeDefined() // a server passed in is not ours to close
  })
})
