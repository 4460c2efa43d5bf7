import { createHash, randomBytes } from 'node:crypto'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openIndex } from '../src/index.js'
import type { PooledIndex } from '../src/index.js'
import { describeEngines } from './backends.js'
import { hex, ih1, ih2, torrent } from './helpers.js'

const sha1 = (b: Uint8Array) => new Uint8Array(createHash('sha1').update(b).digest())

describeEngines('ingest', (engine) => {
  let ix: PooledIndex
  beforeEach(async () => {
    ix = await openIndex({ path: await engine.fresh() })
  })
  afterEach(async () => {
    await ix.close()
  })

  it('is idempotent: re-ingesting updates last_seen and the count, never duplicates', async () => {
    const batch = [torrent(1), torrent(2), torrent(3)]
    expect(await ix.ingest(batch)).toMatchObject({ inserted: 3, updated: 0 })
    const later = new Date('2026-02-01T00:00:00Z')
    expect(await ix.ingest(batch.map((t) => ({ ...t, seenAt: later })))).toMatchObject({
      inserted: 0,
      updated: 3,
    })
    // The same torrent twice inside one batch is one row too.
    expect(await ix.ingest([torrent(4), torrent(4)])).toMatchObject({ inserted: 1, updated: 1 })
    const s = await ix.stats()
    expect(s.torrents).toBe(4)
    expect(s.files).toBe(8)
    const d = await ix.get(ih1(1))
    expect(d?.firstSeen.toISOString()).toBe('2026-01-01T00:00:00.000Z')
    expect(d?.lastSeen.toISOString()).toBe('2026-02-01T00:00:00.000Z')
    expect(d?.seenCount).toBe(2)
    expect(d?.files.map((f) => f.path)).toEqual(['Test.Torrent.1.1080p-GRP.mkv', 'Sample/sample.mkv'])
    // An older sighting never moves last_seen backwards but does move first_seen.
    await ix.ingest([{ ...torrent(1), seenAt: new Date('2025-06-01T00:00:00Z') }])
    const d2 = await ix.get(hex(ih1(1)))
    expect(d2?.firstSeen.toISOString()).toBe('2025-06-01T00:00:00.000Z')
    expect(d2?.lastSeen.toISOString()).toBe('2026-02-01T00:00:00.000Z')
    expect((await ix.search({ text: 'test torrent 1' })).total).toBe(1)
  })

  it('matches on either infohash and merges the halves of a hybrid', async () => {
    await ix.ingest([torrent(10, { infohashV1: ih1(10) })])
    await ix.ingest([torrent(10, { infohashV1: undefined, infohashV2: ih2(10), files: [] })])
    expect((await ix.stats()).torrents).toBe(2)
    // The hybrid's metadata names both: the two rows become one, keeping the file list.
    expect(await ix.ingest([torrent(10, { infohashV1: ih1(10), infohashV2: ih2(10) })])).toMatchObject({
      inserted: 0,
      updated: 1,
    })
    const s = await ix.stats()
    expect(s.torrents).toBe(1)
    expect(s.files).toBe(2)
    const byV2 = await ix.get(ih2(10))
    expect(byV2?.infohashV1).toBe(hex(ih1(10)))
    expect(byV2?.infohashV2).toBe(hex(ih2(10)))
    expect(byV2?.seenCount).toBe(3)
    // BEP 52: the DHT knows a v2 swarm by its first 20 bytes.
    expect(await ix.has(ih2(10).subarray(0, 20))).toBe(true)
    expect((await ix.search({ text: 'torrent 10' })).total).toBe(1)
  })

  it('fills in the file list of a row first stored without one', async () => {
    await ix.ingest([torrent(5, { files: [], totalSize: 7 })])
    expect((await ix.get(ih1(5)))?.fileCount).toBe(0)
    await ix.ingest([torrent(5)])
    const d = await ix.get(ih1(5))
    expect(d?.fileCount).toBe(2)
    expect(d?.totalSize).toBe(1015)
    expect((await ix.search({ text: 'sample' })).hits.map((h) => h.infohashV1)).toEqual([hex(ih1(5))])
  })

  it('keeps names and paths that are not valid UTF-8 byte for byte', async () => {
    const name = new Uint8Array([0x66, 0x6f, 0x6f, 0xff, 0xfe, 0x2e, 0x69, 0x73, 0x6f])
    const path = new Uint8Array([0x64, 0x69, 0x72, 0x2f, 0xc3, 0x28, 0x2e, 0x74, 0x78, 0x74])
    await ix.ingest([torrent(6, { name, files: [{ path, size: 1 }] })])
    const d = await ix.get(ih1(6))
    expect(d?.nameRaw).toEqual(name)
    expect(d?.name).toBe('foo\uFFFD\uFFFD.iso')
    expect(d?.files[0]?.pathRaw).toEqual(path)
    expect(d?.files[0]?.path).toBe('dir/\uFFFD(.txt')
    expect((await ix.search({ text: 'foo' })).total).toBe(1)
  })

  it('rejects a bad batch as a whole, naming the bad torrent', async () => {
    const bad = { ...torrent(8), infohashV1: new Uint8Array(19) }
    await expect(ix.ingest([torrent(7), bad])).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('torrent 1'),
    })
    await expect(ix.ingest([torrent(7, { infohashV1: undefined })])).rejects.toMatchObject({
      code: 'BAD_INPUT',
    })
    await expect(ix.ingest([torrent(7, { files: [{ path: 'a', size: -1 }] })])).rejects.toMatchObject({
      code: 'BAD_INPUT',
    })
    expect((await ix.stats()).torrents).toBe(0)
  })

  it('lists pending sightings (no metadata yet), most-sighted first, and drops them once ingested', async () => {
    const day = (d: number): Date => new Date(Date.UTC(2026, 0, d))
    await ix.recordSightings([
      { infohash: ih1(30), via: 'sample', at: day(1) },
      { infohash: ih1(31), via: 'get_peers', fromNode: '127.0.0.1:6881', at: day(2) },
      { infohash: ih1(31), via: 'announce', at: day(3) },
      { infohash: ih1(32), via: 'sample', at: day(4) },
      { infohash: ih2(33), via: 'gossip', at: day(5) },
    ])
    const all = await ix.pendingSightings(10)
    // 31 was seen twice; the rest once, newest first.
    expect(all.map((p) => hex(p.infohash))).toEqual([ih1(31), ih2(33), ih1(32), ih1(30)].map(hex))
    expect(all[0]).toMatchObject({ count: 2, via: 'announce', fromNode: '127.0.0.1:6881' })
    expect(all[0]!.firstSeen).toEqual(day(2))
    expect(all[0]!.lastSeen).toEqual(day(3))
    expect((await ix.pendingSightings(2)).length).toBe(2)
    expect(await ix.pendingSightings(0)).toEqual([])
    await ix.ingest([torrent(31)])
    expect((await ix.pendingSightings(10)).map((p) => hex(p.infohash))).toEqual(
      [ih2(33), ih1(32), ih1(30)].map(hex),
    )
    await expect(ix.pendingSightings(-1)).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })

  it('records sightings and folds them into the torrent when its metadata arrives', async () => {
    const at = new Date('2025-12-01T00:00:00Z')
    expect(await ix.recordSightings([{ infohash: ih1(20), via: 'sample', fromNode: 'n1', at }])).toBe(1)
    expect(await ix.recordSightings([{ infohash: ih1(20), via: 'get_peers' }])).toBe(0)
    const row = await ix.db.selectFrom('sightings').selectAll().executeTakeFirstOrThrow()
    expect(row.count).toBe(2)
    expect(row.via).toBe('get_peers')
    expect(row.from_node).toBe('n1')
    expect(row.first_seen).toBe(at.getTime() / 1000)
    await ix.ingest([torrent(20)])
    expect((await ix.stats()).sightings).toBe(0)
    const d = await ix.get(ih1(20))
    expect(d?.seenCount).toBe(3)
    expect(d?.firstSeen).toEqual(at)
    // Sightings of a known torrent touch it instead.
    await ix.recordSightings([{ infohash: ih1(20), via: 'announce', at: new Date('2026-03-01T00:00:00Z') }])
    expect((await ix.get(ih1(20)))?.lastSeen.toISOString()).toBe('2026-03-01T00:00:00.000Z')
    await expect(
      ix.recordSightings([{ infohash: ih1(1), via: 'carrier-pigeon' as 'sample' }]),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
    })
  })

  it('caches raw metadata that hashes to its infohash, compressed, evicting the least recently used', async () => {
    await ix.close()
    ix = await openIndex({ path: await engine.fresh(), cacheBudgetBytes: 3000 })
    // Random bytes do not compress, so each entry costs ~400 of the 3000-byte budget. Keys are the
    // real SHA-1 of the bytes, as a v1 infohash is of its info dict.
    const infos = new Map<number, Uint8Array>()
    const info = (n: number) => {
      const b = new Uint8Array(randomBytes(400 + n))
      infos.set(n, b)
      return b
    }
    const key = (n: number) => new Uint8Array(createHash('sha1').update(infos.get(n)!).digest())
    const r30 = info(30)
    expect(await ix.ingest([torrent(30, { infohashV1: sha1(r30), rawInfo: r30 })])).toMatchObject({
      inserted: 1,
      rawInfoRejected: 0,
    })
    // An info dict that does not hash to the torrent's infohash is not cached; the torrent still is.
    expect(await ix.ingest([torrent(29, { rawInfo: info(29) })])).toMatchObject({
      inserted: 1,
      rawInfoRejected: 1,
    })
    expect(await ix.metadataCache.get(ih1(29))).toBeUndefined()
    await expect(ix.metadataCache.put(ih1(28), info(28))).rejects.toMatchObject({ code: 'BAD_INPUT' })
    // v2 keys use SHA-256.
    const v2 = info(27)
    await ix.metadataCache.put(new Uint8Array(createHash('sha256').update(v2).digest()), v2)

    const a = info(31)
    await ix.metadataCache.put(key(31), a)
    expect(await ix.metadataCache.get(key(31))).toEqual(a)
    expect(await ix.metadataCache.get(ih1(99))).toBeUndefined()
    // Fill past the budget; 31 was used after 30, so 30 goes first.
    await new Promise((r) => setTimeout(r, 5))
    await ix.metadataCache.get(key(31))
    for (let n = 32; n < 60; n++) {
      const b = info(n)
      await ix.metadataCache.put(key(n), b)
    }
    const s = await ix.stats()
    expect(s.cacheBytes).toBeLessThanOrEqual(3000)
    expect(s.cachedMetadata).toBeGreaterThan(3)
    expect(s.cachedMetadata).toBeLessThan(8)
    expect(await ix.metadataCache.get(sha1(r30))).toBeUndefined()
    expect(await ix.metadataCache.get(key(59))).toEqual(infos.get(59))
  })

  it('an info dict too large for the cache is dropped, not a failed batch', async () => {
    // A real dict that hashes to its infohash but is over MAX_RAW_INFO_BYTES (16 MiB).
    const big = new Uint8Array(16 * 1024 * 1024 + 1)
    const r = await ix.ingest([torrent(70), torrent(71, { infohashV1: sha1(big), rawInfo: big })])
    expect(r).toMatchObject({ inserted: 2, rawInfoRejected: 1 })
    expect(await ix.metadataCache.get(sha1(big))).toBeUndefined()
  })

  it('close is idempotent and later calls fail with INDEX_CLOSED', async () => {
    await ix.close()
    await ix.close()
    await expect(ix.has(ih1(1))).rejects.toMatchObject({ code: 'INDEX_CLOSED' })
    ix = await openIndex({ path: await engine.fresh() })
  })
})
