// `bbmesh crawl --serve 0`: one process harvests a loopback testnet and answers HTTP; /metrics
// carries the DHT and harvester counters, the search finds what the crawl stored.
import { createTestnet, type Testnet } from '@bbmesh/testnet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempHome } from './run-cli.js'
import { startServe } from './serve-process.js'

let net: Testnet
let home: { home: string; cleanup: () => void }

beforeAll(async () => {
  net = await createTestnet({ nodes: 20, torrents: 10, seed: 14 })
  home = tempHome()
}, 60_000)

afterAll(async () => {
  await net?.destroy()
  home?.cleanup()
})

const metric = (text: string, re: RegExp): number => {
  const m = re.exec(text)
  return m === null ? -1 : Number(m[1])
}

describe('bbmesh crawl --serve', () => {
  it(
    'serves the index and the crawl counters while crawling, and stops on SIGINT',
    { timeout: 90_000 },
    async () => {
      const serve = await startServe(
        ['crawl', '--bootstrap', net.bootstrap.join(','), '--serve', '0'],
        home.home,
      )
      let code: number | null
      try {
        // Wait (bounded) until the crawl has stored something, reading it through the server.
        let torrents = 0
        for (let i = 0; i < 60 && torrents === 0; i++) {
          await new Promise((r) => setTimeout(r, 1_000))
          const s = (await (
            await fetch(`${serve.url}/api/stats`, { signal: AbortSignal.timeout(5_000) })
          ).json()) as {
            torrents: number
          }
          torrents = s.torrents
        }
        expect(torrents).toBeGreaterThan(0)
        const text = await (
          await fetch(`${serve.url}/metrics`, { signal: AbortSignal.timeout(5_000) })
        ).text()
        expect(metric(text, /^bbmesh_dht_queries_total\{direction="out"\} (\d+)$/m)).toBeGreaterThan(0)
        expect(
          metric(text, /^bbmesh_harvester_fetches_total\{outcome="ok",reason=""\} (\d+)$/m),
        ).toBeGreaterThan(0)
        expect(metric(text, /^bbmesh_dht_routing_table_nodes (\d+)$/m)).toBeGreaterThan(0)
        expect(metric(text, /^bbmesh_index_torrents (\d+)$/m)).toBeGreaterThan(0)
        expect(text).toMatch(/^# TYPE bbmesh_harvester_new_infohashes_total counter$/m)
        const name = net.torrents.map((t) => t.name)
        const hits = (await (
          await fetch(`${serve.url}/api/search?limit=100`, { signal: AbortSignal.timeout(5_000) })
        ).json()) as {
          hits: { name: string }[]
        }
        for (const h of hits.hits) expect(name).toContain(h.name)
      } finally {
        code = await serve.stop('SIGINT')
      }
      expect(code).toBe(0)
      expect(serve.stdout()).toContain('"event":"summary"')
    },
  )
})
