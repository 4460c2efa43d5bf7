import { afterEach, beforeEach, expect, it } from 'vitest'
import { openIndex } from '../src/index.js'
import type { PooledIndex } from '../src/index.js'
import { describeEngines } from './backends.js'
import { ih1, torrent } from './helpers.js'

describeEngines('stats', (engine) => {
  let ix: PooledIndex
  beforeEach(async () => {
    ix = await openIndex({ path: await engine.fresh() })
  })
  afterEach(async () => {
    await ix.close()
  })

  it('an empty index: zeros and no dates', async () => {
    expect(await ix.stats()).toMatchObject({
      torrents: 0,
      files: 0,
      totalSize: 0,
      pendingMetadata: 0,
      oldestFirstSeen: null,
      newestLastSeen: null,
      newLastDay: 0,
    })
  })

  it('counts sightings still waiting for metadata as pending, not harvested torrents', async () => {
    // What a harvest does: sight infohashes, then ingest the metadata of some of them.
    await ix.recordSightings([1, 2, 3].map((n) => ({ infohash: ih1(n), via: 'sample' as const })))
    await ix.ingest([torrent(1, { seenAt: new Date() }), torrent(2, { seenAt: new Date() })])
    const s = await ix.stats()
    expect(s.torrents).toBe(2)
    expect(s.pendingMetadata).toBe(1)
    expect(s.sightings).toBe(1)
    expect(s.totalSize).toBe(1001 + 10 + 1002 + 10)
    expect(s.newLastDay).toBe(2)
  })

  it('oldest first-seen, newest last-seen, and growth over the last day only', async () => {
    const old = new Date('2024-03-01T00:00:00Z')
    const recent = new Date(Date.now() - 3600_000)
    await ix.ingest([torrent(1, { seenAt: old }), torrent(2, { seenAt: recent })])
    const s = await ix.stats()
    expect(s.oldestFirstSeen).toEqual(old)
    expect(s.newestLastSeen?.getTime()).toBe(Math.floor(recent.getTime() / 1000) * 1000)
    expect(s.newLastDay).toBe(1)
  })
})
