import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, hex, startHarness, type Doc, type Harness } from './harness.js'

const KEY = 'k'.repeat(32)
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (n) => ['item', 'torznab:attr', 'category', 'subcat'].includes(n),
})

interface Attr {
  '@name': string
  '@value': string
}
type Item = Record<string, unknown> & { 'torznab:attr': Attr[] }

let h: Harness
beforeAll(async () => {
  h = await startHarness({ apiKey: KEY })
})
afterAll(async () => h.close())

async function torznab(params: Record<string, string>): Promise<Doc> {
  const res = await get(`${h.url}/torznab/api?${new URLSearchParams({ apikey: KEY, ...params })}`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^application\/xml/)
  const body = await res.text()
  expect(XMLValidator.validate(body)).toBe(true)
  return parser.parse(body)
}

const attrs = (item: Item): Record<string, string[]> => {
  const out: Record<string, string[]> = {}
  for (const a of item['torznab:attr']) (out[a['@name']] ??= []).push(a['@value'])
  return out
}

describe('torznab', () => {
  it('answers caps with limits, searching modes and every category', async () => {
    const doc = await torznab({ t: 'caps' })
    expect(doc.caps.server['@title']).toBe('bbmesh')
    expect(doc.caps.limits).toMatchObject({ '@max': '100', '@default': '50' })
    expect(doc.caps.searching.search).toMatchObject({ '@available': 'yes', '@supportedParams': 'q' })
    expect(doc.caps.searching['tv-search']).toMatchObject({
      '@available': 'yes',
      '@supportedParams': 'q,season,ep',
    })
    expect(doc.caps.searching['movie-search']).toMatchObject({
      '@available': 'yes',
      '@supportedParams': 'q,imdbid',
    })
    expect(doc.caps.searching['music-search']['@available']).toBe('no')
    const cats = doc.caps.categories.category as Array<{
      '@id': string
      '@name': string
      subcat: Array<{ '@id': string }>
    }>
    expect(cats.map((c) => c['@id'])).toEqual(['2000', '3000', '4000', '5000', '7000', '8000'])
    expect(cats.find((c) => c['@id'] === '5000')!.subcat.map((s) => s['@id'])).toEqual([
      '5030',
      '5040',
      '5045',
    ])
  })

  it('returns RSS items with every torznab field for t=search', async () => {
    const doc = await torznab({ t: 'search', q: 'expanse', extended: '1' })
    const channel = doc.rss.channel
    expect(doc.rss['@version']).toBe('2.0')
    expect(doc.rss['@xmlns:torznab']).toBe('http://torznab.com/schemas/2015/feed')
    expect(channel['torznab:response']).toMatchObject({ '@offset': '0', '@total': '2' })
    expect(channel['atom:link']['@href']).not.toContain(KEY)
    const items = channel.item as Item[]
    expect(items).toHaveLength(2)
    const ep = items.find((i) => i.title === 'The.Expanse.S03E07.1080p.WEB-DL.DD5.1.H264-NTb.mkv')!
    expect(ep.guid).toMatchObject({ '#text': hex(1), '@isPermaLink': 'false' })
    expect(ep.size).toBe(String(2 * 1024 ** 3))
    expect(ep.category).toEqual(['5040'])
    expect(String(ep.link)).toMatch(new RegExp(`^magnet:\\?xt=urn:btih:${hex(1)}&dn=The.Expanse`))
    expect(ep.comments).toBe(`${h.url}/torrent/${hex(1)}`)
    expect(new Date(String(ep.pubDate)).getTime()).toBeGreaterThan(Date.now() - 600_000)
    expect(ep.enclosure).toMatchObject({
      '@url': ep.link,
      '@length': String(2 * 1024 ** 3),
      '@type': 'application/x-bittorrent',
    })
    const a = attrs(ep)
    expect(a.category).toEqual(['5000', '5040'])
    expect(a.size).toEqual([String(2 * 1024 ** 3)])
    expect(a.files).toEqual(['1'])
    expect(a.infohash).toEqual([hex(1)])
    expect(a.magneturl).toEqual([ep.link])
    expect(a.season).toEqual(['3'])
    expect(a.episode).toEqual(['7'])
    // No peer counts exist in the index; none are invented.
    expect(a.seeders).toBeUndefined()
    expect(a.peers).toBeUndefined()
    const pack = attrs(items.find((i) => i !== ep)!)
    expect(pack.files).toEqual(['3'])
    expect(pack.episode).toBeUndefined()
  })

  it('leaves extended attributes out unless asked', async () => {
    const doc = await torznab({ t: 'search', q: 'expanse s03e07' })
    const a = attrs(doc.rss.channel.item[0])
    expect(Object.keys(a).sort()).toEqual(['category', 'files', 'infohash', 'magneturl', 'size'])
  })

  it('filters by category, parent or sub', async () => {
    const movies = await torznab({ t: 'search', q: '', cat: '2000' })
    expect((movies.rss.channel.item as Item[]).map((i) => i.title)).toEqual([
      'Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP',
    ])
    const both = await torznab({ t: 'search', cat: '3040,4020' })
    expect((both.rss.channel.item as Item[]).map((i) => i.title).sort()).toEqual([
      'Pink Floyd - The Dark Side of the Moon (1973) [FLAC]',
      'ubuntu-24.04.1-desktop-amd64.iso',
    ])
    const none = await torznab({ t: 'search', cat: '6000' })
    expect(none.rss.channel.item).toBeUndefined()
    expect(none.rss.channel['torznab:response']['@total']).toBe('0')
  })

  it('tvsearch matches season and episode', async () => {
    const ep = await torznab({ t: 'tvsearch', q: 'the expanse', season: '3', ep: '7' })
    expect((ep.rss.channel.item as Item[]).map((i) => i.title)).toEqual([
      'The.Expanse.S03E07.1080p.WEB-DL.DD5.1.H264-NTb.mkv',
    ])
    const season = await torznab({ t: 'tvsearch', q: 'the expanse', season: '3' })
    expect(season.rss.channel.item).toHaveLength(2)
    const wrong = await torznab({ t: 'tvsearch', q: 'the expanse', season: '4' })
    expect(wrong.rss.channel.item).toBeUndefined()
  })

  it('movie search returns movies only', async () => {
    const doc = await torznab({ t: 'movie', q: 'dune' })
    const items = doc.rss.channel.item as Item[]
    expect(items.map((i) => i.title)).toEqual(['Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP'])
    expect(attrs(items[0]!).infohash).toEqual([hex(3)])
    expect(await torznab({ t: 'movie', q: 'expanse' })).not.toHaveProperty('rss.channel.item')
    // An IMDb id alone only finds torrents whose names carry it; none here.
    expect(await torznab({ t: 'movie', imdbid: 'tt1160419' })).not.toHaveProperty('rss.channel.item')
  })

  it('pages with limit and offset', async () => {
    const first = await torznab({ t: 'search', limit: '2' })
    const second = await torznab({ t: 'search', limit: '2', offset: '2' })
    const titles = (d: Doc) => (d.rss.channel.item as Item[]).map((i) => i.title)
    expect(titles(first)).toHaveLength(2)
    expect(titles(second)).toHaveLength(2)
    expect(titles(first).filter((t) => titles(second).includes(t))).toEqual([])
  })

  it('escapes hostile names in well-formed XML', async () => {
    const doc = await torznab({ t: 'search', q: 'ebook pack' })
    expect(doc.rss.channel.item[0].title).toBe('<script>alert("x")</script> & "quotes" ebook pack')
    expect(attrs(doc.rss.channel.item[0]).infohash).toEqual([hex(6, 32)])
  })
})

describe('torznab errors', () => {
  async function error(qs: string): Promise<{ code: string; description: string; body: string }> {
    const res = await get(`${h.url}/torznab/api?${qs}`)
    const body = await res.text()
    expect(XMLValidator.validate(body)).toBe(true)
    const doc = parser.parse(body)
    return { code: doc.error?.['@code'], description: doc.error?.['@description'], body }
  }

  it('answers a wrong or missing key with 100 and no data', async () => {
    for (const qs of ['t=search&q=expanse&apikey=wrong', 't=search&q=expanse', 't=caps&apikey=']) {
      const e = await error(qs)
      expect(e.code).toBe('100')
      expect(e.body).not.toContain('Expanse')
      expect(e.body).not.toContain('<item')
    }
  })

  it('answers missing and bad parameters with 200 and 201', async () => {
    expect((await error(`apikey=${KEY}`)).code).toBe('200')
    expect((await error(`apikey=${KEY}&t=search&limit=abc`)).code).toBe('201')
    expect((await error(`apikey=${KEY}&t=search&offset=-1`)).code).toBe('201')
    expect((await error(`apikey=${KEY}&t=search&cat=tv`)).code).toBe('201')
    expect((await error(`apikey=${KEY}&t=search&q=${'a'.repeat(600)}`)).code).toBe('201')
    expect((await error(`apikey=${KEY}&t=search&q=a&q=b`)).code).toBe('201')
    expect((await error(`apikey=${KEY}&t=tvsearch&ep=3`)).code).toBe('201')
    expect((await error(`apikey=${KEY}&t=movie&imdbid=nope`)).code).toBe('201')
  })

  it('answers unoffered functions with 203 and unknown ones with 202', async () => {
    expect((await error(`apikey=${KEY}&t=music&q=x`)).code).toBe('203')
    expect((await error(`apikey=${KEY}&t=book&q=x`)).code).toBe('203')
    expect((await error(`apikey=${KEY}&t=bogus`)).code).toBe('202')
  })
})
