import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PooledIndex } from '@bbmesh/index'
import {
  CatalogPublisher,
  entryToTorrentInput,
  mintPublisherKey,
  libraryFromIndex,
  resolveStatePath,
  type BuiltCatalog,
  type CatalogEntry,
} from '../src/index.js'
import { library, shuffled, syntheticEntry } from './catalog-entries.js'
import { LoopbackWorld } from './loopback-world.js'

const world = new LoopbackWorld()
beforeAll(async () => {
  await world.start(8)
})
afterAll(async () => {
  await world.close()
})

const key = (e: CatalogEntry): string => e.infohashV1 ?? e.infohashV2 ?? ''
/** The library as an index exports it, provenance left out (the resolver's says where it got it). */
const exported = async (index: PooledIndex) =>
  (await libraryFromIndex(index))
    .sort((a, b) => (key(a) < key(b) ? -1 : 1))
    .map(({ source: _s, ...rest }) => rest)
const plain = (xs: CatalogEntry[]) =>
  [...xs].sort((a, b) => (key(a) < key(b) ? -1 : 1)).map(({ source: _s, ...rest }) => rest)

const rootsOf = (c: BuiltCatalog): Map<string, string> =>
  new Map(
    c.torrent.files.map((f) => [
      f.path.map((p) => Buffer.from(p).toString()).join('/'),
      f.piecesRoot ? Buffer.from(f.piecesRoot).toString('hex') : '',
    ]),
  )
/** Files a resolver holding `a` must fetch for `b`: catalog.json plus every file whose root is new. */
const changedFiles = (a: BuiltCatalog, b: BuiltCatalog): number => {
  const old = rootsOf(a)
  return [...rootsOf(b)].filter(([p, r]) => p === 'catalog.json' || old.get(p) !== r).length
}

describe('catalog updates propagate removals and changes', () => {
  for (const sharded of [true, false]) {
    it(`${sharded ? 'sharded' : 'whole'}: after removing, changing and adding 1% each, the resolver's library is identical to the publisher's`, async () => {
      const s = await world.setup(sharded)
      const lib = library(1000)
      // The resolver already knew torrent 3 from a crawl: when the publisher drops it, it stays.
      const crawled = syntheticEntry(3)
      await s.resIndex.ingest([entryToTorrentInput(crawled, 'dht')])

      await s.publisher.publish(shuffled(lib))
      const c1 = s.publisher.catalog!
      const r1 = await s.resolve()
      expect(r1).toMatchObject({ seq: 1, imported: 1000, removed: 0, retained: 0, replaced: 0 })
      expect(await exported(s.resIndex)).toEqual(plain(lib))

      // Drop 10 (torrent 3 among them), change 10 (same infohash, new name and files), add 10.
      const dropped = new Set([3, ...Array.from({ length: 9 }, (_, k) => 100 + k * 97)])
      const changed = new Set(Array.from({ length: 10 }, (_, k) => 50 + k * 89))
      const lib2 = [
        ...lib.flatMap((e, i) => (dropped.has(i) ? [] : [changed.has(i) ? syntheticEntry(i, 1) : e])),
        ...Array.from({ length: 10 }, (_, k) => syntheticEntry(5000 + k)),
      ]
      const p2 = await s.publisher.publish(lib2)
      expect(p2.seq).toBe(2)
      const c2 = s.publisher.catalog!
      const r2 = await s.resolve()
      expect(r2).toMatchObject({ seq: 2, removed: 9, retained: 1, replaced: 10, unchanged: false })
      expect(await exported(s.resIndex)).toEqual(plain([...lib2, crawled]))
      expect((await s.resIndex.get(key(crawled)))?.source).toBe('dht')
      if (sharded) {
        expect(r2.filesFetched).toBe(changedFiles(c1, c2))
        expect(r2.filesFetched).toBeLessThan(r2.filesTotal / 4)
      } else expect(r2).toMatchObject({ filesFetched: 2, imported: lib2.length })

      // A much smaller library: sharded, the prefix shrinks and every shard file is new.
      const lib3 = lib2.slice(0, 40)
      await s.publisher.publish(lib3)
      const c3 = s.publisher.catalog!
      const r3 = await s.resolve()
      expect(r3).toMatchObject({ seq: 3, removed: lib2.length - 40, retained: 0, imported: 40 })
      expect(await exported(s.resIndex)).toEqual(plain([...lib3, crawled]))
      if (sharded) expect(c3.header).toMatchObject({ layout: 'sharded' })

      // The resolver's copy on disk is the catalog it imported, file for file.
      const copyDir = resolveStatePath(s.resDir, s.key.publicKey, Buffer.from('library')).slice(0, -5)
      for (const [path, data] of c3.files)
        expect(Buffer.compare(await readFile(join(copyDir, 'files', ...path.split('/'))), data)).toBe(0)
      expect(Buffer.compare(await readFile(join(copyDir, 'info.bencode')), c3.torrent.info)).toBe(0)

      // Unchanged: nothing fetched, nothing removed.
      expect(await s.resolve()).toMatchObject({ unchanged: true, removed: 0, bytesFetched: 0 })
    })
  }

  it('a torrent one publisher drops but another followed publisher lists stays, under the other provenance', async () => {
    const a = await world.setup(true)
    const bDir = await world.dir()
    const bKey = await mintPublisherKey(bDir)
    const b = new CatalogPublisher({
      dht: await world.dhtNode(),
      key: bKey,
      dataDir: bDir,
      host: '127.0.0.1',
      salt: 'library',
    })
    world.closers.push(() => b.stop())
    const shared = syntheticEntry(7)
    await a.publisher.publish(library(30))
    await b.publish([shared, syntheticEntry(900)])
    await a.resolve()
    await a.resolve({ publicKey: bKey.publicKey })
    expect((await a.resIndex.get(key(shared)))?.source).toBe(`catalog:${a.key.publicKeyHex}:1`)

    await a.publisher.publish(library(30).filter((_, i) => i !== 7 && i !== 8))
    const r = await a.resolve()
    expect(r).toMatchObject({ seq: 2, removed: 1, retained: 1 })
    expect((await a.resIndex.get(key(shared)))?.source).toBe(`catalog:${bKey.publicKeyHex}:1`)
    expect(await a.resIndex.get(key(syntheticEntry(8)))).toBeUndefined()
    expect(await exported(a.resIndex)).toEqual(
      plain([...library(30).filter((_, i) => i !== 7 && i !== 8), shared, syntheticEntry(900)]),
    )
  })
})
