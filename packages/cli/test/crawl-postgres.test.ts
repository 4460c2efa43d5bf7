// Three `bbmesh crawl` processes writing into one Postgres index at once, against a loopback testnet
// (never the public routers): every crawl finishes cleanly, and the index holds each torrent once,
// exactly as the testnet made it.
import { openIndex, type TorrentDetail } from '@bbmesh/index'
import { createTestnet, type Testnet } from '@bbmesh/testnet'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { describePostgres } from './pg-schemas.js'
import { jsonLines, runCli, tempHome } from './run-cli.js'

describePostgres('bbmesh crawl x3 into one Postgres', (pgs) => {
  let net: Testnet
  let home: { home: string; cleanup: () => void }
  beforeAll(async () => {
    net = await createTestnet({ nodes: 30, torrents: 30, seed: 7 })
    home = tempHome()
  }, 60_000)
  afterAll(async () => {
    await net?.destroy()
    home?.cleanup()
  })
  afterEach(() => pgs.dropAll())

  it(
    'three concurrent crawls: no failed write, no duplicate, nothing wrong',
    { timeout: 120_000 },
    async () => {
      const db = await pgs.fresh()
      const args = ['--db', db, '--json', 'crawl', '--bootstrap', net.bootstrap.join(','), '--duration', '20']
      const runs = await Promise.all(
        [0, 1, 2].map(() => runCli(args, { home: home.home, timeoutMs: 90_000 })),
      )
      for (const r of runs) {
        expect(r.code, r.stderr).toBe(0)
        expect(jsonLines(r.stdout).at(-1)).toMatchObject({ event: 'summary' })
      }
      const index = await openIndex({ path: db, readonly: true })
      const stored: TorrentDetail[] = []
      try {
        for await (const t of index.exportAll()) stored.push(t)
      } finally {
        await index.close()
      }
      const truth = new Map(net.torrents.map((t) => [t.infohashV1 ?? t.infohashV2 ?? '', t]))
      const keys = stored.map((s) => s.infohashV1 ?? s.infohashV2 ?? '')
      expect(new Set(keys).size).toBe(keys.length)
      for (const s of stored) {
        const t = truth.get(s.infohashV1 ?? s.infohashV2 ?? '')
        expect(t, `stored torrent ${s.name} is not one the testnet made`).toBeDefined()
        expect(s.files.map((f) => [f.path, f.size])).toEqual(t!.files.map((f) => [f.path, f.size]))
      }
      expect(stored.length).toBeGreaterThanOrEqual(Math.ceil(0.8 * net.torrents.length))
      // Each crawl saw (most of) the same torrents: the counts add up in one row per torrent.
      expect(stored.reduce((n, s) => n + s.seenCount, 0)).toBeGreaterThan(stored.length)
    },
  )
})
