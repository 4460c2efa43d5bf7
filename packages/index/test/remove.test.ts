import { afterEach, beforeEach, expect, it } from 'vitest'
import { openIndex } from '../src/index.js'
import type { PooledIndex } from '../src/index.js'
import { describeEngines } from './backends.js'
import { hex, ih1, ih2, tempDir, torrent } from './helpers.js'

describeEngines('removeTorrents', (engine) => {
  let ix: PooledIndex
  beforeEach(async () => {
    ix = await openIndex({ path: await engine.fresh() })
  })
  afterEach(async () => {
    await ix.close()
  })

  it('deletes the row, its files and its search entry, by v1 or v2 infohash', async () => {
    await ix.ingest([torrent(1), torrent(2, { infohashV1: undefined, infohashV2: ih2(2) }), torrent(3)])
    expect((await ix.search({ text: 'Torrent' })).hits).toHaveLength(3)
    expect(await ix.removeTorrents([ih1(1), hex(ih2(2)), ih1(99)])).toEqual({
      removed: 2,
      kept: 0,
      missing: 1,
    })
    expect(await ix.has(ih1(1))).toBe(false)
    expect(await ix.has(ih2(2))).toBe(false)
    expect((await ix.stats()).files).toBe(2)
    expect((await ix.search({ text: 'Torrent' })).hits.map((h) => h.infohashV1)).toEqual([hex(ih1(3))])
    // Re-ingesting a removed torrent brings it back whole.
    await ix.ingest([torrent(1)])
    expect((await ix.get(ih1(1)))?.files).toHaveLength(2)
    expect((await ix.search({ text: 'Torrent.1' })).hits).toHaveLength(1)
  })

  it('with sourcePrefix, deletes only rows from that source', async () => {
    await ix.ingest([
      torrent(1, { source: 'catalog:aa:1' }),
      torrent(2, { source: 'catalog:aa:2' }),
      torrent(3),
    ])
    expect(await ix.removeTorrents([ih1(1), ih1(2), ih1(3)], { sourcePrefix: 'catalog:aa:' })).toEqual({
      removed: 2,
      kept: 1,
      missing: 0,
    })
    expect((await ix.get(ih1(3)))?.source).toBe('test')
  })

  it('refuses bad infohashes and read-only handles, changing nothing', async () => {
    await ix.ingest([torrent(1)])
    await expect(ix.removeTorrents([ih1(1), new Uint8Array(5)])).rejects.toMatchObject({ code: 'BAD_INPUT' })
    expect(await ix.has(ih1(1))).toBe(true)
    const { dir, cleanup } = tempDir()
    try {
      const path = engine.name === 'sqlite' ? `${dir}/i.db` : await engine.fresh()
      await (await openIndex({ path })).close()
      const ro = await openIndex({ path, readonly: true })
      await expect(ro.removeTorrents([ih1(1)])).rejects.toMatchObject({ code: 'INDEX_UNWRITABLE' })
      await ro.close()
    } finally {
      cleanup()
    }
  })
})
