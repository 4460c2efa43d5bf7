// The reads a member catching up pages through (bb_sync): cached dicts' keys in key order after a
// cursor, with sizes, and the bulk check of which keys the index already holds.
import { createHash } from 'node:crypto'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openIndex, type PooledIndex } from '../src/index.js'
import { describeEngines } from './backends.js'
import { hex, torrent } from './helpers.js'

const info = (n: number): Uint8Array => new Uint8Array(Buffer.from(`d4:name${String(n).length + 2}:t-${n}e`))
const sha1 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha1').update(b).digest())
const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest())

describeEngines('metadata paging', (engine) => {
  let ix: PooledIndex
  beforeEach(async () => {
    ix = await openIndex({ path: await engine.fresh() })
  })
  afterEach(async () => {
    await ix.close()
  })

  it('pages every cached key once, in key order, v1 and v2-only alike', async () => {
    const v1 = Array.from({ length: 25 }, (_, n) => ({
      ...torrent(n, { infohashV1: sha1(info(n)) }),
      rawInfo: info(n),
    }))
    const v2 = Array.from({ length: 5 }, (_, i) => {
      const n = 100 + i
      return { ...torrent(n, { infohashV2: sha256(info(n)) }), infohashV1: undefined, rawInfo: info(n) }
    })
    await ix.ingest([...v1, ...v2])
    const seen: string[] = []
    let after: Uint8Array | undefined
    for (;;) {
      const page = await ix.metadataAfter(after, 7)
      if (page.length === 0) break
      expect(page.length).toBeLessThanOrEqual(7)
      for (const k of page) expect(k.rawBytes).toBeGreaterThan(0)
      seen.push(...page.map((k) => hex(k.infohash)))
      after = page.at(-1)!.infohash
    }
    const want = [...v1.map((t) => t.infohashV1!), ...v2.map((t) => t.infohashV2!)]
    expect(seen).toEqual(
      want.map(hex).sort((a, b) => Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'))),
    )
    await expect(ix.metadataAfter(undefined, 0)).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })

  it('answers which keys it holds, in bulk, by v1 or v2', async () => {
    const v2only = sha256(info(7))
    await ix.ingest([torrent(1), { ...torrent(2), infohashV1: undefined, infohashV2: v2only }])
    const absent = sha1(info(99))
    expect(await ix.holdsKeys([torrent(1).infohashV1!, absent, v2only, sha256(info(8))])).toEqual([
      true,
      false,
      true,
      false,
    ])
    expect(await ix.holdsKeys([])).toEqual([])
    await expect(ix.holdsKeys([new Uint8Array(5)])).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })
})
