import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer } from '../src/index.js'
import { get, startHarness, type Harness } from './harness.js'

let h: Harness
let queries = 0
beforeAll(async () => {
  h = await startHarness({
    metricSources: [
      {
        name: 'bbmesh_dht_queries_total',
        help: 'DHT queries by direction and method',
        type: 'counter',
        labelNames: ['direction', 'method'],
        read: () => [
          { labels: { direction: 'in', method: 'get_peers' }, value: queries },
          { labels: { direction: 'out', method: 'find_node' }, value: 7 },
        ],
      },
      {
        name: 'bbmesh_dht_routing_table_nodes',
        help: 'Nodes in the routing table',
        type: 'gauge',
        read: () => [{ value: 42 }],
      },
    ],
  })
})
afterAll(async () => h.close())

const scrape = async (): Promise<string> => {
  const res = await get(`${h.url}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
  return res.text()
}

describe('/metrics', () => {
  it('exposes index gauges, HTTP counts by route and status, and plugged-in sources', async () => {
    await get(`${h.url}/api/search?q=expanse`)
    await get(`${h.url}/api/torrent/${'ab'.repeat(20)}`)
    queries = 5
    const text = await scrape()
    expect(text).toMatch(/^bbmesh_index_torrents 6$/m)
    expect(text).toMatch(/^bbmesh_index_files 11$/m)
    expect(text).toMatch(/^# TYPE bbmesh_http_requests_total counter$/m)
    expect(text).toMatch(/^bbmesh_http_requests_total\{route="\/api\/search",method="GET",status="200"\} 1$/m)
    // The route pattern, never the infohash: label values stay bounded.
    expect(text).toMatch(
      /^bbmesh_http_requests_total\{route="\/api\/torrent\/:infohash",method="GET",status="404"\} 1$/m,
    )
    expect(text).toMatch(/^# TYPE bbmesh_dht_queries_total counter$/m)
    expect(text).toMatch(/^bbmesh_dht_queries_total\{direction="in",method="get_peers"\} 5$/m)
    expect(text).toMatch(/^bbmesh_dht_routing_table_nodes 42$/m)
    queries = 9
    expect(await scrape()).toMatch(/^bbmesh_dht_queries_total\{direction="in",method="get_peers"\} 9$/m)
  })

  it('refuses metric names that break the conventions', async () => {
    await expect(
      createServer({
        source: h.index,
        port: 0,
        metricSources: [{ name: 'dht_queries', help: 'x', type: 'counter', read: () => [] }],
      }),
    ).rejects.toMatchObject({ code: 'BAD_METRIC' })
  })
})
