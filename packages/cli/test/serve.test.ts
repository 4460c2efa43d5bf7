// `bbmesh serve` as a user runs it: a child process over a real index, real HTTP on 127.0.0.1,
// the generated API key on disk (0600, never printed), SIGTERM ends it cleanly.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { openIndex } from '@bbmesh/index'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempHome } from './run-cli.js'
import { startServe } from './serve-process.js'

let home: string
let cleanup: () => void
beforeAll(async () => {
  ;({ home, cleanup } = tempHome())
  const index = await openIndex({ path: join(home, 'index.db') })
  await index.ingest([
    {
      infohashV1: new Uint8Array(20).fill(7),
      name: 'Severance.S02E03.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb.mkv',
      files: [{ path: 'Severance.S02E03.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb.mkv', size: 3e9 }],
      source: 'test',
    },
  ])
  await index.close()
})
afterAll(() => cleanup())

const fetchText = async (url: string, init?: RequestInit): Promise<{ status: number; body: string }> => {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
  return { status: res.status, body: await res.text() }
}

describe('bbmesh serve', () => {
  it('serves Torznab with a generated 0600 key it never prints, and stops on SIGTERM', async () => {
    const serve = await startServe(['serve', '--port', '0'], home)
    let code: number | null
    const keyPath = join(home, 'server-api-key')
    try {
      expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(statSync(keyPath).mode & 0o777).toBe(0o600)
      const key = readFileSync(keyPath, 'utf8').trim()
      expect(key).toMatch(/^[0-9a-f]{64}$/)
      const ok = await fetchText(
        `${serve.url}/torznab/api?t=tvsearch&q=severance&season=2&ep=3&apikey=${key}`,
      )
      expect(ok.status).toBe(200)
      expect(ok.body).toContain('<title>Severance.S02E03.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb.mkv</title>')
      expect(ok.body).toContain(`<torznab:attr name="infohash" value="${'07'.repeat(20)}"/>`)
      const bad = await fetchText(`${serve.url}/torznab/api?t=search&q=severance&apikey=nope`)
      expect(bad.body).toContain('<error code="100"')
      expect(bad.body).not.toContain('Severance')
      // On loopback the page and the JSON API are open; Torznab alone asks for the key.
      const stats = JSON.parse((await fetchText(`${serve.url}/api/stats`)).body) as { torrents: number }
      expect(stats.torrents).toBe(1)
      expect((await fetchText(`${serve.url}/metrics`)).body).toMatch(/^bbmesh_index_torrents 1$/m)
      expect(serve.stdout() + serve.stderr()).not.toContain(key)
      expect(serve.stderr()).toContain(`API key created in ${keyPath}`)
    } finally {
      code = await serve.stop('SIGTERM')
    }
    expect(code).toBe(0)
    expect(serve.stdout()).toContain('{"event":"stopped"}')
    // The samples for the dashboard charts outlive the process.
    expect(readFileSync(join(home, 'server-samples.ndjson'), 'utf8')).toMatch(/"torrents":1/)
  })

  it('keeps the key across runs and stops on SIGINT', async () => {
    const key = readFileSync(join(home, 'server-api-key'), 'utf8').trim()
    const serve = await startServe(['serve', '--port', '0'], home)
    try {
      const caps = await fetchText(`${serve.url}/torznab/api?t=caps&apikey=${key}`)
      expect(caps.body).toContain('<caps>')
      expect(serve.stderr()).not.toContain('created')
    } finally {
      expect(await serve.stop('SIGINT')).toBe(0)
    }
  })

  it('refuses bad command lines with exit 2 and one line', { timeout: 90_000 }, async () => {
    for (const args of [
      ['serve', '--host', '0.0.0.0', '--no-api-key'],
      ['serve', '--api-key', 'short'],
      ['serve', '--port', '70000'],
      ['serve', '--community', 'friends', '--deadline', '0'],
      ['serve', '--peer', '127.0.0.1:1'],
      ['serve', '--api-key', 'k'.repeat(20), '--api-key-file', join(home, 'x')],
    ]) {
      const r = await runCli(args, { home })
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
    }
  })
})

describe('bbmesh watch', () => {
  it('adds, lists and removes saved searches that serve answers as RSS', { timeout: 90_000 }, async () => {
    const { home: h, cleanup: done } = tempHome()
    try {
      const add = await runCli(['--json', 'watch', 'add', 'severance', '--cat', '5000'], { home: h })
      expect(add.code, add.stderr).toBe(0)
      const w = JSON.parse(add.stdout) as { id: string; query: string; categories: number[]; rss: string }
      expect(w).toMatchObject({ query: 'severance', categories: [5000], rss: `/rss/${w.id}` })
      expect(statSync(join(h, 'watches.json')).mode & 0o777).toBe(0o600)
      const list = await runCli(['--json', 'watch', 'list'], { home: h })
      expect(JSON.parse(list.stdout)).toMatchObject({ id: w.id })
      expect((await runCli(['watch', 'add', 'x', '--webhook', 'ftp://x'], { home: h })).code).toBe(2)
      expect((await runCli(['watch', 'add', 'x', '--cat', 'tv'], { home: h })).code).toBe(2)
      expect((await runCli(['watch', 'remove', w.id], { home: h })).code).toBe(0)
      expect((await runCli(['watch', 'remove', w.id], { home: h })).code).toBe(1)
    } finally {
      done()
    }
  })

  it('serve answers a saved search at /rss/<id> with the key', { timeout: 60_000 }, async () => {
    const add = await runCli(['--json', 'watch', 'add', 'severance'], { home })
    const { id } = JSON.parse(add.stdout) as { id: string }
    const key = readFileSync(join(home, 'server-api-key'), 'utf8').trim()
    const serve = await startServe(['serve', '--port', '0'], home)
    try {
      const rss = await fetchText(`${serve.url}/rss/${id}?apikey=${key}`)
      expect(rss.body).toContain('<title>Severance.S02E03.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb.mkv</title>')
    } finally {
      expect(await serve.stop()).toBe(0)
    }
  })
})
