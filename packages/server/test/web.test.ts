import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSampleStore } from '../src/index.js'
import { get, hex, startHarness, type Harness } from './harness.js'

let h: Harness
let t = Date.UTC(2026, 0, 1)
let torrents = 0
const samples = createSampleStore({
  read: async () => ({ torrents: (torrents += 10), metadata_ok: torrents * 2 }),
  now: () => (t += 60_000),
})

beforeAll(async () => {
  for (let i = 0; i < 3; i++) await samples.sample()
  h = await startHarness({ samples })
})
afterAll(async () => h.close())

async function page(path: string, status = 200): Promise<string> {
  const res = await get(h.url + path)
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
  // Whitespace-insensitive: the templates are formatted for reading, not for these assertions.
  return (await res.text()).replace(/\s+/g, ' ')
}

describe('web pages', () => {
  it('searches with a plain form GET, no script needed', async () => {
    const home = await page('/')
    expect(home).toContain('<form class="search" method="get" action="/"')
    expect(home).not.toContain('<script')
    const body = await page('/?q=expanse')
    expect(body).toContain('value="expanse"')
    expect(body).toContain('1-2 of 2 results')
    expect(body).toContain(
      `<a href="/torrent/${hex(1)}">The.Expanse.S03E07.1080p.WEB-DL.DD5.1.H264-NTb.mkv</a>`,
    )
    expect(body).toContain(`href="magnet:?xt=urn:btih:${hex(1)}&amp;dn=`)
    expect(body).toContain('2.00 GiB')
    expect(await page('/?q=nothingmatchesthis')).toContain('No results for <b>nothingmatchesthis</b>')
  })

  it('escapes torrent names, file names and the query everywhere', async () => {
    const body = await page('/?q=' + encodeURIComponent('ebook "><script>x</script>'))
    expect(body).not.toMatch(/<script>/)
    expect(body).toContain('value="ebook &quot;&gt;&lt;script&gt;x&lt;/script&gt;"')
    const list = await page('/?q=ebook')
    expect(list).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; ebook pack',
    )
    const detail = await page(`/torrent/${hex(6, 32)}`)
    expect(detail).not.toMatch(/<script>|<b>bold/)
    // The path '<b>bold</b>/book.epub' splits at its slashes into two escaped folders.
    expect(detail).toContain('<summary>&lt;b&gt;bold&lt;/ <span')
  })

  it('shows a torrent with its file tree', async () => {
    const body = await page(`/torrent/${hex(2)}`)
    expect(body).toContain('<h1 class="name" id="torrent-name">The.Expanse.S03.720p.BluRay.x264-DEMAND</h1>')
    expect(body).toContain('TV, season 3, Torznab 5040')
    expect(body).toContain(
      '<summary>The.Expanse.S03.720p.BluRay.x264-DEMAND/ <span class="muted">3 files, 2.00 GiB</span></summary>',
    )
    expect(body).toContain(
      '<summary>Subs/ <span class="muted">1 files, 48.8 KiB</span></summary><ul class="tree"> <li>English.srt',
    )
    expect(await page(`/torrent/${'cd'.repeat(20)}`, 404)).toContain('Not found')
    expect(await page('/torrent/zz', 400)).toContain('Not found')
  })

  it('draws dashboard charts from stored samples', async () => {
    const body = await page('/dashboard')
    expect(body).toMatch(/<div class="card"><b>6<\/b>torrents<\/div>/)
    expect(body).toContain('Torrents in the index <span class="muted">now 30 torrents')
    // Three samples one minute apart, +10 torrents and +20 fetches each: rates of 10 and 20 per minute.
    expect(body).toContain('New torrents per minute <span class="muted">now 10 /min')
    expect(body).toContain('Metadata fetched per minute <span class="muted">now 20 /min')
    expect(body).not.toContain('DHT queries in per minute')
    expect(body.match(/<svg /g)).toHaveLength(3)
  })
})
