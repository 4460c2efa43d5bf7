import { createServer as createHttpServer, type Server } from 'node:http'
import { join } from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWatchStore, type WatchStore } from '../src/index.js'
import { get, startHarness, TORRENTS, type Doc, type Harness } from './harness.js'

const KEY = 'w'.repeat(32)
const hourAgo = new Date(Date.now() - 3_600_000)
let h: Harness
let store: WatchStore
let receiver: Server
let receiverUrl: string
const posts: Doc[] = []
const watchErrors: unknown[] = []

beforeAll(async () => {
  receiver = createHttpServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      posts.push(JSON.parse(body))
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
  const addr = receiver.address() as { port: number }
  receiverUrl = `http://127.0.0.1:${addr.port}/hook`
  // Everything in the index before the watch is saved is an hour old: not "new".
  const old = TORRENTS.map((t) => ({ ...t, seenAt: hourAgo }))
  const { mkdtempSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  store = createWatchStore(join(mkdtempSync(join(tmpdir(), 'bbmesh-watch-')), 'watches.json'))
  h = await startHarness(
    { apiKey: KEY, watches: store, watchIntervalMs: 200, onWatchError: (e) => watchErrors.push(e) },
    old,
  )
})
afterAll(async () => {
  await h.close()
  await new Promise((r) => receiver.close(r))
})

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (n) => n === 'item',
})

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('saved searches', () => {
  it('serves a saved search as RSS with the Torznab items, behind the key', async () => {
    const w = store.add({ query: 'expanse', categories: [5000] })
    const res = await get(`${h.url}/rss/${w.id}?apikey=${KEY}`)
    expect(res.headers.get('content-type')).toMatch(/^application\/rss\+xml/)
    const body = await res.text()
    expect(XMLValidator.validate(body)).toBe(true)
    const doc = parser.parse(body)
    expect(doc.rss.channel.title).toBe('bbmesh: expanse')
    expect(doc.rss.channel.item.map((i: Doc) => i.title).sort()).toEqual([
      'The.Expanse.S03.720p.BluRay.x264-DEMAND',
      'The.Expanse.S03E07.1080p.WEB-DL.DD5.1.H264-NTb.mkv',
    ])
    const denied = await (await get(`${h.url}/rss/${w.id}?apikey=nope`)).text()
    expect(denied).toContain('code="100"')
    expect(denied).not.toContain('Expanse')
    expect((await get(`${h.url}/rss/000000000000?apikey=${KEY}`)).status).toBe(404)
    expect(store.remove(w.id)).toBe(true)
  })

  it('POSTs new matches to the webhook once, and only new ones', async () => {
    const w = store.add({ query: 'expanse', webhook: receiverUrl })
    await new Promise((r) => setTimeout(r, 600))
    expect(posts).toHaveLength(0) // the old matches are not news
    await h.index.ingest([
      {
        infohashV1: new Uint8Array(20).fill(99),
        name: 'The.Expanse.S03E08.1080p.WEB-DL.DD5.1.H264-NTb.mkv',
        files: [{ path: 'The.Expanse.S03E08.1080p.WEB-DL.DD5.1.H264-NTb.mkv', size: 2e9 }],
        source: 'test',
      },
    ])
    await waitFor(() => posts.length === 1)
    expect(posts[0]).toMatchObject({
      watch: { id: w.id, query: 'expanse' },
      torrents: [
        {
          infohash: '63'.repeat(20),
          name: 'The.Expanse.S03E08.1080p.WEB-DL.DD5.1.H264-NTb.mkv',
          category: 5040,
        },
      ],
    })
    expect(String(posts[0].torrents[0].magnet)).toMatch(/^magnet:\?xt=urn:btih:(63){20}/)
    await new Promise((r) => setTimeout(r, 600))
    expect(posts).toHaveLength(1)
    expect(store.get(w.id)!.notified).toEqual(['63'.repeat(20)])
    expect(watchErrors).toEqual([])
  })

  it('refuses bad saved searches', () => {
    expect(() => store.add({ query: '  ' })).toThrow(/1-512 characters/)
    expect(() => store.add({ query: 'x', webhook: 'file:///etc/passwd' })).toThrow(/http\(s\)/)
  })
})
