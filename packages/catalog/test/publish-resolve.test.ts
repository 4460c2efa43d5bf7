import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  bdecode,
  bencode,
  createDhtTestnet,
  mutableTarget,
  sign,
  signatureBuffer,
  type DhtTestnet,
} from '@bbmesh/dht'
import { MemoryStorage, PieceServer, layoutFromInfo } from '@bbmesh/wire'
import {
  CatalogPublisher,
  CatalogSeeder,
  PublisherKeyError,
  buildTorrent,
  libraryFromIndex,
  resolveCatalog,
  shardOf,
  type CatalogEntry,
} from '../src/index.js'
import { library, syntheticEntry } from './catalog-entries.js'
import { LoopbackWorld } from './loopback-world.js'
import { rogueMetadataSeed } from './rogue-seed.js'

const key = (e: CatalogEntry): string => e.infohashV1 ?? e.infohashV2 ?? ''
const strip = (xs: CatalogEntry[]) =>
  [...xs].sort((a, b) => (key(a) < key(b) ? -1 : 1)).map(({ source: _s, ...rest }) => rest)

const world = new LoopbackWorld()
const dhtNode = (testnet: DhtTestnet, extra: string[] = []) => world.dhtNode(testnet, extra)
const dir = () => world.dir()
const index = () => world.index()
const setup = (sharded: boolean) => world.setup(sharded)

beforeAll(async () => {
  await world.start(8)
})
afterAll(async () => {
  await world.close()
})

/**
 * A 1% update: new torrents, 1% of the library, land across the key space. (An infohash names one
 * info dict, so "changing" a torrent means adding another; removals and changed lines are covered in
 * resolve-updates.test.ts.)
 */
const added1pc = (lib: CatalogEntry[], from = 100_000): CatalogEntry[] => [
  ...lib,
  ...Array.from({ length: Math.ceil(lib.length / 100) }, (_, k) => syntheticEntry(from + k)),
]

describe('publish and resolve over a loopback DHT', () => {
  for (const sharded of [true, false]) {
    it(`${sharded ? 'sharded' : 'whole'}: the resolver ends with the same library; a 1% update raises seq and refetches ${sharded ? 'only the changed shards' : 'the library'}`, async () => {
      const s = await setup(sharded)
      const lib = library(1500)
      const p1 = await s.publisher.publish(lib)
      expect(p1).toMatchObject({ seq: 1, entries: 1500, changed: true })
      expect(p1.stored).toBeGreaterThan(0)
      const steps: { stage: string; done: number; total: number }[] = []
      const r1 = await s.resolve({ onStep: (stage, done, total) => steps.push({ stage, done, total }) })
      const r1Catalog = s.publisher.catalog!
      // The progress bar's feed: every piece, then every entry, counting up to a fixed total.
      const pieceSteps = steps.filter((x) => x.stage === 'pieces')
      const importSteps = steps.filter((x) => x.stage === 'import')
      expect(steps.map((x) => x.stage)).toEqual([...pieceSteps, ...importSteps].map((x) => x.stage))
      expect(pieceSteps.map((x) => x.done)).toEqual(pieceSteps.map((_, i) => i + 1))
      expect(pieceSteps.every((x) => x.total === pieceSteps.length)).toBe(true)
      expect(importSteps.map((x) => x.done)).toEqual([1000, 1500])
      expect(importSteps.every((x) => x.total === 1500)).toBe(true)
      expect(r1).toMatchObject({
        publicKey: s.key.publicKeyHex,
        seq: 1,
        infohash: p1.infohash,
        imported: 1500,
        unchanged: false,
      })
      expect(strip(await libraryFromIndex(s.resIndex))).toEqual(strip(lib))
      expect(
        (await libraryFromIndex(s.resIndex)).every((e) => e.source === `catalog:${s.key.publicKeyHex}:1`),
      ).toBe(true)

      // Republishing an unchanged library keeps the infohash and the seq; resolving again fetches nothing.
      const again = await s.publisher.publish([...lib].reverse())
      expect(again).toMatchObject({ seq: 1, infohash: p1.infohash, changed: false })
      expect(await s.resolve()).toMatchObject({ seq: 1, unchanged: true, bytesFetched: 0, imported: 0 })

      const lib2 = added1pc(lib)
      const p2 = await s.publisher.publish(lib2)
      expect(p2.seq).toBe(2)
      expect(p2.infohash).not.toBe(p1.infohash)
      const r2 = await s.resolve()
      expect(r2).toMatchObject({ seq: 2, infohash: p2.infohash, unchanged: false })
      expect(strip(await libraryFromIndex(s.resIndex))).toEqual(strip(lib2))
      if (sharded) {
        // Into a fresh index: `full` refetches everything at the same seq.
        const fresh = await index()
        const full = await resolveCatalog({
          dht: s.resDht,
          index: fresh,
          dataDir: s.resDir,
          publicKey: s.key.publicKey,
          salt: 'library',
          full: true,
          timeoutMs: 5000,
        })
        expect(full).toMatchObject({ seq: 2, imported: lib2.length, unchanged: false })
        expect(strip(await libraryFromIndex(fresh))).toEqual(strip(lib2))
      }
      const built = s.publisher.catalog!
      const wholeBytes = [...built.files.values()].reduce((n, f) => n + f.length, 0)
      if (sharded) {
        const header = built.header.layout === 'sharded' ? built.header : undefined
        const changedShards = new Set(
          lib2.slice(lib.length).map((e) => shardOf(key(e), header?.prefixBits ?? 0)),
        )
        expect(r2.filesFetched).toBe(changedShards.size + 1) // + catalog.json
        expect(r2.imported).toBe(
          header?.shards.filter((x) => changedShards.has(x.prefix)).reduce((n, x) => n + x.entries, 0),
        )
        expect(r2.bytesFetched).toBeLessThan(r1.bytesFetched / 4)
        // Exactly the info dict plus the changed files (pads are never fetched).
        const before = new Map(
          r1Catalog.torrent.files.map((f) => [f.path.map((x) => Buffer.from(x).toString()).join('/'), f]),
        )
        const changedBytes = built.torrent.files
          .filter((f) => {
            const p = f.path.map((x) => Buffer.from(x).toString()).join('/')
            const old = before.get(p)
            return (
              p === 'catalog.json' ||
              !old ||
              Buffer.compare(old.piecesRoot ?? new Uint8Array(), f.piecesRoot ?? new Uint8Array()) !== 0
            )
          })
          .reduce((n, f) => n + f.size, 0)
        expect(r2.bytesFetched).toBe(built.torrent.info.length + changedBytes)
      } else {
        expect(r2.filesFetched).toBe(2)
        expect(r2.imported).toBe(lib2.length)
        expect(r2.bytesFetched).toBeGreaterThan(wholeBytes)
      }
    })
  }

  it('ignores a pointer signed by another key; refuses a lower seq; imports nothing from a tampered or mismatching catalog', async () => {
    const s = await setup(true)
    const lib = library(300)
    await s.publisher.publish(lib)
    await s.publisher.publish(added1pc(lib))
    const count = async () => (await s.resIndex.stats()).torrents

    // A rogue DHT node offers seq 99 signed by a different key: dropped, the genuine seq 2 wins.
    const rogue = await rogueDhtNode(s.key.publicKey, Buffer.from('library'))
    const viaRogue = await dhtNode(world.testnet!, [`127.0.0.1:${rogue.port}`])
    const r = await resolveCatalog({
      dht: viaRogue,
      index: s.resIndex,
      dataDir: s.resDir,
      publicKey: s.key.publicKey,
      salt: 'library',
      timeoutMs: 5000,
    })
    expect(rogue.gets()).toBeGreaterThan(0)
    expect(r.seq).toBe(2)
    const before = await count()
    expect(before).toBe(303)

    // Only a forged pointer under an unused salt: nothing valid to resolve.
    await expect(
      resolveCatalog({
        dht: viaRogue,
        index: s.resIndex,
        dataDir: s.resDir,
        publicKey: s.key.publicKey,
        salt: 'forged-only',
        timeoutMs: 5000,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })

    // Tampered catalog piece: seq 3 is published, then only a seed with one flipped byte remains.
    const p3 = await s.publisher.publish(added1pc(lib, 200_000))
    const built = s.publisher.catalog!
    await s.publisher.stop()
    const tampered = new Map(built.files)
    const bytes = new Uint8Array(tampered.get('catalog.json')!) // always refetched
    bytes[5] = (bytes[5] ?? 0) ^ 1
    tampered.set('catalog.json', bytes)
    const liar = new PieceServer()
    liar.add(built.torrent.info, MemoryStorage.seed(layoutFromInfo(built.torrent.info), tampered))
    const liarPort = (await liar.listen(0, '127.0.0.1')).port
    world.closers.push(() => liar.close())
    await s.resDht.announce(Buffer.from(p3.infohash, 'hex'), liarPort)
    await expect(s.resolve()).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      message: expect.stringMatching(/failed verification/),
    })
    expect(await count()).toBe(before)
    await liar.close()

    // A seed answering with metadata that is not the catalog the infohash names.
    const other = await buildTorrent({
      name: 'bbmesh-catalog',
      files: [{ path: ['catalog.json'], data: new Uint8Array(3) }],
    })
    const fake = await rogueMetadataSeed(Buffer.from(p3.infohash, 'hex'), other.info)
    world.closers.push(() => fake.close())
    await s.resDht.announce(Buffer.from(p3.infohash, 'hex'), fake.port)
    await expect(s.resolve()).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      message: expect.stringMatching(/metadata/),
    })
    expect(fake.requests()).toBeGreaterThan(0)
    expect(await count()).toBe(before)

    // A lower seq: the same key published afresh on another DHT (its seq file lost) is refused.
    const net2 = await createDhtTestnet(5)
    world.closers.push(() => net2.destroy())
    const pub2Dir = await dir()
    const pub2 = new CatalogPublisher({
      dht: await dhtNode(net2),
      key: s.key,
      dataDir: pub2Dir,
      host: '127.0.0.1',
      salt: 'library',
    })
    world.closers.push(() => pub2.stop())
    expect((await pub2.publish(library(10))).seq).toBe(1)
    const res2 = await dhtNode(net2)
    await expect(
      resolveCatalog({
        dht: res2,
        index: s.resIndex,
        dataDir: s.resDir,
        publicKey: s.key.publicKey,
        salt: 'library',
        timeoutMs: 5000,
      }),
    ).rejects.toMatchObject({
      code: 'STALE_POINTER',
      message: expect.stringMatching(/seq 1 is lower than seq 2/),
    })
    expect(await count()).toBe(before)
  })

  it('takes the publisher key as PublishResult gives it (hex) as well as bytes; a malformed key fails before any DHT traffic', async () => {
    const s = await setup(false)
    const published = await s.publisher.publish(library(20))
    expect(published.publicKey).toBe(s.key.publicKeyHex)
    const r = await s.resolve({ publicKey: published.publicKey })
    expect(r).toMatchObject({ publicKey: published.publicKey, seq: 1, imported: 20, unchanged: false })
    // The same resolver state whichever form is given: upper-case hex and bytes find it unchanged.
    expect(await s.resolve({ publicKey: published.publicKey.toUpperCase() })).toMatchObject({
      unchanged: true,
    })
    expect(await s.resolve({ publicKey: s.key.publicKey })).toMatchObject({ unchanged: true })
    const seeder = new CatalogSeeder({ dht: s.resDht, dataDir: s.resDir, publicKey: published.publicKey })
    expect(seeder).toBeInstanceOf(CatalogSeeder)

    const get = vi.spyOn(s.resDht, 'get')
    for (const bad of [
      s.key.publicKey.subarray(0, 31),
      published.publicKey.slice(2),
      `bbmesh:pub:${published.publicKey}`,
      'zz'.repeat(32),
    ] as const) {
      await expect(s.resolve({ publicKey: bad })).rejects.toMatchObject({
        name: 'PublisherKeyError',
        code: 'BAD_PUBLIC_KEY',
      })
      expect(() => new CatalogSeeder({ dht: s.resDht, dataDir: s.resDir, publicKey: bad })).toThrow(
        PublisherKeyError,
      )
    }
    expect(get).not.toHaveBeenCalled()
    get.mockRestore()
  })
})

/** A KRPC responder that answers every query, and `get` with a pointer under `pk` signed by another key. */
async function rogueDhtNode(pk: Uint8Array, salt: Buffer): Promise<{ port: number; gets(): number }> {
  const other = (await import('@bbmesh/dht')).generateKeyPair()
  const v = { ih: Buffer.alloc(20, 0xee) }
  const forged = sign(signatureBuffer(99, v, salt), other.secretKey)
  const sock: UdpSocket = createSocket('udp4')
  let gets = 0
  const id = mutableTarget(Buffer.from(pk), salt)
  sock.on('message', (msg, from) => {
    let q: Record<string, unknown>
    try {
      q = bdecode(msg) as Record<string, unknown>
    } catch {
      return
    }
    if (q['y']?.toString() !== 'q') return
    const method = q['q']?.toString()
    const r: Record<string, unknown> = { id, nodes: Buffer.alloc(0) }
    if (method === 'get') {
      gets++
      Object.assign(r, { token: Buffer.alloc(4, 1), k: Buffer.from(pk), seq: 99, sig: forged, v })
    }
    sock.send(bencode({ t: q['t'] as Buffer, y: 'r', r } as never), from.port, from.address)
  })
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res))
  world.closers.push(() => new Promise<void>((res) => sock.close(() => res())))
  return { port: sock.address().port, gets: () => gets }
}
