import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, hex, startHarness, type Doc, type Harness } from './harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => h.close())

async function json(path: string, status = 200): Promise<Doc> {
  const res = await get(h.url + path)
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  return res.json()
}

describe('JSON API', () => {
  it('searches with paging, classification and magnets', async () => {
    const r = await json('/api/search?q=expanse&limit=1')
    expect(r).toMatchObject({ query: 'expanse', total: 2, totalExact: true, offset: 0, limit: 1 })
    expect(r.hits).toHaveLength(1)
    const next = await json('/api/search?q=expanse&limit=1&offset=1')
    expect(next.hits).toHaveLength(1)
    expect(next.hits[0].name).not.toBe(r.hits[0].name)
    const ep = [r.hits[0], next.hits[0]].find((x) => x.name.includes('S03E07'))
    expect(ep).toMatchObject({
      infohashV1: hex(1),
      infohashV2: null,
      size: 2 * 1024 ** 3,
      files: 1,
      magnet: `magnet:?xt=urn:btih:${hex(1)}&dn=The.Expanse.S03E07.1080p.WEB-DL.DD5.1.H264-NTb.mkv`,
      classification: { kind: 'tv', category: 5000, subcategory: 5040, season: 3, episode: 7 },
    })
    expect(Date.parse(ep.firstSeen)).toBeGreaterThan(0)
  })

  it('filters by category, size and extension', async () => {
    expect((await json('/api/search?cat=2000')).hits.map((x: { name: string }) => x.name)).toEqual([
      'Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP',
    ])
    const big = await json(`/api/search?minSize=${20 * 1024 ** 3}`)
    expect(big.hits.map((x: { name: string }) => x.name)).toEqual([
      'Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP',
    ])
    const flac = await json('/api/search?ext=.flac')
    expect(flac.hits).toHaveLength(1)
    expect(flac.hits[0].classification).toMatchObject({ kind: 'audio', subcategory: 3040 })
  })

  it('gives one torrent with files, magnet with both hashes, and sightings', async () => {
    const t = await json(`/api/torrent/${hex(3).toUpperCase()}`)
    expect(t).toMatchObject({
      infohashV1: hex(3),
      infohashV2: hex(3, 32),
      name: 'Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP',
      magnet: `magnet:?xt=urn:btih:${hex(3)}&xt=urn:btmh:1220${hex(3, 32)}&dn=Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP`,
      classification: { kind: 'movie', year: 2024, subcategory: 2045 },
      sightings: { count: 1, source: 'test' },
    })
    expect(t.files).toEqual([
      { path: 'Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP/dune.mkv', size: 30 * 1024 ** 3 },
      { path: 'Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP/group.nfo', size: 3000 },
    ])
    expect(await json(`/api/torrent/${hex(6, 32)}`)).toMatchObject({
      infohashV1: null,
      infohashV2: hex(6, 32),
    })
  })

  it('reports stats from the index', async () => {
    const s = await json('/api/stats')
    expect(s).toMatchObject({ torrents: 6, files: 11, pendingMetadata: 0, newLastDay: 6 })
    expect(s.dbBytes).toBeGreaterThan(0)
  })

  it('answers bad input with coded JSON errors', async () => {
    expect(await json('/api/torrent/nothex', 400)).toMatchObject({ error: { code: 'BAD_PARAMETER' } })
    expect(await json(`/api/torrent/${'ab'.repeat(20)}`, 404)).toMatchObject({ error: { code: 'NOT_FOUND' } })
    for (const qs of [
      'limit=0',
      'limit=101',
      'offset=-1',
      'cat=tv',
      `q=${'x'.repeat(513)}`,
      'ext=a/b',
      'bogus=1',
      'minSize=5&maxSize=1',
    ])
      expect(await json(`/api/search?${qs}`, 400), qs).toMatchObject({ error: { code: 'BAD_PARAMETER' } })
    expect(await json('/api/nope', 404)).toMatchObject({ error: { code: 'NOT_FOUND' } })
  })

  it('describes itself in OpenAPI generated from the route schemas', async () => {
    const doc = await json('/openapi.json')
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/search', '/api/stats', '/api/torrent/{infohash}'])
    const params = doc.paths['/api/search'].get.parameters.map((p: { name: string }) => p.name)
    expect(params).toEqual(
      expect.arrayContaining(['q', 'limit', 'offset', 'cat', 'minSize', 'maxSize', 'ext']),
    )
    expect(doc.paths['/api/torrent/{infohash}'].get.responses).toHaveProperty('404')
  })
})
