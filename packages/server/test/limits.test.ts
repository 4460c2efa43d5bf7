import { request } from 'node:http'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createServer } from '../src/index.js'
import { get, startHarness, type Harness } from './harness.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** The status line the server answers a raw request with (it may close while we still write). */
function statusOfRaw(url: string, head: string): Promise<number> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname)
    let got = ''
    const timer = setTimeout(() => sock.destroy(new Error('timeout')), 10_000)
    sock.on('data', (d) => (got += d.toString('latin1')))
    sock.on('error', () => undefined)
    sock.on('close', () => {
      clearTimeout(timer)
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got)
      if (m === null) reject(new Error(`no status line: ${got.slice(0, 80)}`))
      else resolve(Number(m[1]))
    })
    sock.write(head)
  })
}

/** A raw request, for what fetch will not send (a huge header, a body on GET). */
function rawRequest(
  url: string,
  opts: { headers?: Record<string, string>; body?: string; method?: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, timeout: 10_000 },
      (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      },
    )
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.end(opts.body)
  })
}

describe('limits and safety', () => {
  it('rate-limits per IP and counts the drops', async () => {
    h = await startHarness({ rateLimit: { max: 5, windowMs: 60_000 } })
    const codes: number[] = []
    for (let i = 0; i < 8; i++) codes.push((await get(`${h.url}/api/stats`)).status)
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429, 429])
    const res = await get(`${h.url}/api/stats`)
    expect(await res.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } })
    expect(h.server.metrics.registry.getSingleMetric('bbmesh_http_rate_limited_total')).toBeDefined()
    const text = await h.server.metrics.registry.metrics()
    expect(text).toMatch(/^bbmesh_http_rate_limited_total 4$/m)
  })

  it('refuses oversized headers, bodies and path parameters', async () => {
    h = await startHarness()
    expect(
      await statusOfRaw(h.url, `GET /api/stats HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    ).toBe(431)
    const body = JSON.stringify({ a: 'b'.repeat(20_000) })
    expect(
      await rawRequest(`${h.url}/api/stats`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      }),
    ).toBe(413)
    const longParam = await get(`${h.url}/api/torrent/${'a'.repeat(200)}`)
    expect(longParam.status).toBe(414)
    expect((await get(`${h.url}/api/search?q=${'x'.repeat(600)}`)).status).toBe(400)
  })

  it('refuses a non-loopback host without a key, and short keys', async () => {
    h = await startHarness()
    await expect(createServer({ source: h.index, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
      code: 'BAD_OPTIONS',
    })
    await expect(createServer({ source: h.index, port: 0, apiKey: 'short' })).rejects.toMatchObject({
      code: 'BAD_OPTIONS',
    })
  })

  it('guards every route with the key when asked, by header or query', async () => {
    const key = 'x'.repeat(40)
    h = await startHarness({ apiKey: key, requireKeyEverywhere: true })
    for (const path of ['/api/stats', '/', '/dashboard', '/metrics', '/api/search?q=dune']) {
      const res = await get(h.url + path)
      expect(res.status, path).toBe(401)
      expect(await res.json()).toMatchObject({ error: { code: 'BAD_API_KEY' } })
      expect((await get(h.url + path, { headers: { 'x-api-key': key } })).status, path).toBe(200)
    }
    expect((await get(`${h.url}/api/search?q=dune&apikey=${key}`)).status).toBe(200)
    expect((await get(`${h.url}/api/stats`, { headers: { 'x-api-key': 'wrong' } })).status).toBe(401)
  })

  it('close is idempotent and releases the port', async () => {
    h = await startHarness()
    const url = h.url
    await h.server.close()
    await h.server.close()
    await expect(get(`${url}/api/stats`)).rejects.toThrow()
  })
})
