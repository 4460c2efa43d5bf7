import { afterEach, beforeEach, expect, it } from 'vitest'
import { MAX_LIVENESS_BATCH, openIndex } from '../src/index.js'
import type { PooledIndex } from '../src/index.js'
import { describeEngines } from './backends.js'
import { hex, ih1, ih2, torrent } from './helpers.js'

const at = (s: number) => new Date(s * 1000)

describeEngines('recordLiveness', (engine) => {
  let ix: PooledIndex
  beforeEach(async () => {
    ix = await openIndex({ path: await engine.fresh() })
  })
  afterEach(async () => {
    await ix.close()
  })

  it('stores the newest observation, idempotently, and ignores unknown infohashes', async () => {
    await ix.ingest([torrent(1), torrent(2)])
    expect((await ix.get(ih1(1)))?.lastAlive).toBeNull()
    expect((await ix.get(ih1(1)))?.peersSeen).toBeNull()
    const batch = [
      { infohash: ih1(1), peers: 7, at: at(2_000) },
      { infohash: ih1(99), peers: 3, at: at(2_000) },
    ]
    expect(await ix.recordLiveness(batch)).toBe(1)
    expect(await ix.recordLiveness(batch)).toBe(1)
    let d = await ix.get(ih1(1))
    expect(d?.lastAlive).toEqual(at(2_000))
    expect(d?.peersSeen).toBe(7)
    // An older observation arriving late changes nothing; a newer one replaces the count.
    await ix.recordLiveness([{ infohash: ih1(1), peers: 50, at: at(1_000) }])
    expect((await ix.get(ih1(1)))?.peersSeen).toBe(7)
    await ix.recordLiveness([{ infohash: ih1(1), peers: 2, at: at(3_000) }])
    d = await ix.get(ih1(1))
    expect(d?.lastAlive).toEqual(at(3_000))
    expect(d?.peersSeen).toBe(2)
    // 0 peers is no sign of life.
    expect(await ix.recordLiveness([{ infohash: ih1(2), peers: 0 }])).toBe(0)
    expect((await ix.get(ih1(2)))?.lastAlive).toBeNull()
    // Ingesting the torrent again keeps its liveness.
    await ix.ingest([torrent(1)])
    expect((await ix.get(ih1(1)))?.peersSeen).toBe(2)
    // Unknown infohashes create nothing.
    expect(await ix.has(ih1(99))).toBe(false)
  })

  it('finds v2 and hybrid torrents by the 32-byte v2 infohash or its 20-byte DHT truncation', async () => {
    await ix.ingest([torrent(3, { infohashV1: undefined, infohashV2: ih2(3) })])
    expect(await ix.recordLiveness([{ infohash: ih2(3).subarray(0, 20), peers: 4, at: at(5_000) }])).toBe(1)
    expect((await ix.get(ih2(3)))?.peersSeen).toBe(4)
    expect(await ix.recordLiveness([{ infohash: ih2(3), peers: 5, at: at(6_000) }])).toBe(1)
    expect((await ix.get(ih2(3)))?.lastAlive).toEqual(at(6_000))
    // A hybrid's v2 swarm has the same DHT key: a harvester may fetch it by either.
    await ix.ingest([torrent(4, { infohashV2: ih2(4) })])
    expect(await ix.recordLiveness([{ infohash: ih2(4).subarray(0, 20), peers: 6, at: at(7_000) }])).toBe(1)
    expect((await ix.get(ih1(4)))?.peersSeen).toBe(6)
  })

  it('keeps the newer liveness when the two halves of a hybrid merge into one row', async () => {
    await ix.ingest([torrent(10, { infohashV1: ih1(10) })])
    await ix.ingest([torrent(10, { infohashV1: undefined, infohashV2: ih2(10), files: [] })])
    await ix.recordLiveness([
      { infohash: ih1(10), peers: 2, at: at(1_000) },
      { infohash: ih2(10), peers: 8, at: at(4_000) },
    ])
    await ix.ingest([torrent(10, { infohashV1: ih1(10), infohashV2: ih2(10) })])
    expect((await ix.stats()).torrents).toBe(1)
    const d = await ix.get(ih1(10))
    expect(d?.lastAlive).toEqual(at(4_000))
    expect(d?.peersSeen).toBe(8)
  })

  it('rejects bad input and oversized batches with BAD_INPUT, writing nothing', async () => {
    await ix.ingest([torrent(1)])
    const bad = [
      { infohash: ih1(1), peers: 3 },
      { infohash: new Uint8Array(5), peers: 1 },
    ]
    await expect(ix.recordLiveness(bad)).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(ix.recordLiveness([{ infohash: ih1(1), peers: -1 }])).rejects.toMatchObject({
      code: 'BAD_INPUT',
    })
    const big = Array.from({ length: MAX_LIVENESS_BATCH + 1 }, () => ({ infohash: ih1(1), peers: 1 }))
    await expect(ix.recordLiveness(big)).rejects.toMatchObject({ code: 'BAD_INPUT' })
    expect((await ix.get(ih1(1)))?.lastAlive).toBeNull()
  })

  it('search hits carry liveness and aliveSince keeps only torrents seen alive since', async () => {
    await ix.ingest([torrent(1), torrent(2), torrent(3)])
    const now = Math.floor(Date.now() / 1000)
    await ix.recordLiveness([
      { infohash: ih1(1), peers: 9, at: at(now - 60) },
      { infohash: ih1(2), peers: 1, at: at(now - 30 * 86_400) },
    ])
    const since = at(now - 7 * 86_400)
    for (const text of ['Torrent', '']) {
      const page = await ix.search({ text, aliveSince: since })
      expect(page.hits.map((h) => h.infohashV1)).toEqual([hex(ih1(1))])
      expect(page.total).toBe(1)
      expect(page.hits[0]?.peersSeen).toBe(9)
      expect(page.hits[0]?.lastAlive).toEqual(at(now - 60))
    }
    const all = await ix.search({ text: 'Torrent' })
    const byIh = new Map(all.hits.map((h) => [h.infohashV1, h]))
    expect(byIh.get(hex(ih1(3)))?.lastAlive).toBeNull()
    expect(byIh.get(hex(ih1(3)))?.peersSeen).toBeNull()
    expect(byIh.get(hex(ih1(2)))?.peersSeen).toBe(1)
    await expect(ix.search({ text: '', aliveSince: new Date(NaN) })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    })
  })
})
