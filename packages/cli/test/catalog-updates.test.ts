import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openIndex, type TorrentInput } from '@bbmesh/index'
import { exportedLibrary, ingest, run, start, temp, torrents, useCatalogTestnet } from './catalog-process.js'

// Each step re-joins a testnet whose routing tables still list the DHT nodes of processes that already
// exited, and queries to those time out: several seconds a step on a loaded machine.
const SLOW = 90_000

const testnet = useCatalogTestnet()

describe('bbmesh resolve follows updates (loopback DHT, separate processes)', () => {
  it(
    'removals, changes and additions at the publisher propagate: the resolver ends with an identical library',
    { timeout: SLOW },
    async () => {
      const bootstrap = testnet().bootstrap.join(',')
      const pub = temp()
      await run(['--data-dir', pub, '--json', 'keys', 'mint'])
      const publicKey = (await run(['--data-dir', pub, '--json', 'keys', 'show'])).json['publicKey'] as string
      await ingest(pub, torrents(0, 50))
      const net = ['--bootstrap', bootstrap, '--host', '127.0.0.1']
      const publish = () => start(['--data-dir', pub, '--json', 'publish', '--sharded', ...net])
      const res = temp()
      const resolveArgs = ['--data-dir', res, '--json', 'resolve', publicKey, ...net, '--timeout', '10']

      let seeding = publish()
      expect(JSON.parse(await seeding.next())).toMatchObject({ seq: 1, entries: 50 })
      const r1 = await run(resolveArgs)
      expect(r1.json).toMatchObject({ seq: 1, imported: 50, removed: 0 })
      seeding.child.kill('SIGTERM')
      expect(await seeding.done).toBe(0)

      // The operator drops torrents 0–4, replaces 5–9 with new metadata, and adds 50–54.
      const index = await openIndex({ path: join(pub, 'index.db') })
      const ids = (rows: TorrentInput[]) => rows.map((t) => t.infohashV1 as Uint8Array)
      expect((await index.removeTorrents(ids(torrents(0, 10)))).removed).toBe(10)
      await index.ingest([...torrents(5, 5, 1), ...torrents(50, 5)])
      await index.close()

      seeding = publish()
      expect(JSON.parse(await seeding.next())).toMatchObject({ seq: 2, entries: 50, changed: true })
      const r2 = await run(resolveArgs)
      expect(r2.code).toBe(0)
      expect(r2.json).toMatchObject({ seq: 2, removed: 5, replaced: 5, retained: 0 })
      expect(await exportedLibrary(join(res, 'index.db'))).toEqual(
        await exportedLibrary(join(pub, 'index.db')),
      )
      seeding.child.kill('SIGTERM')
      expect(await seeding.done).toBe(0)
    },
  )

  it(
    'resolve --seed keeps serving: a second resolver fetches the catalog from the first after the publisher stopped',
    { timeout: SLOW },
    async () => {
      const pub = temp()
      await run(['--data-dir', pub, '--json', 'keys', 'mint'])
      const publicKey = (await run(['--data-dir', pub, '--json', 'keys', 'show'])).json['publicKey'] as string
      await ingest(pub, torrents(200, 30))
      const net = ['--bootstrap', testnet().bootstrap.join(','), '--host', '127.0.0.1']
      const seeding = start(['--data-dir', pub, '--json', 'publish', ...net])
      expect(JSON.parse(await seeding.next())).toMatchObject({ seq: 1, entries: 30 })

      const first = temp()
      const reseed = start([
        ...['--data-dir', first, '--json', 'resolve', publicKey, ...net, '--seed', '--reannounce', '1'],
      ])
      const r1 = JSON.parse(await reseed.next()) as Record<string, unknown>
      expect(r1).toMatchObject({ seq: 1, imported: 30, rePut: { status: 'stored', seq: 1 } })
      expect(r1['seedPort']).toBeGreaterThan(0)
      expect((r1['rePut'] as { stored: number }).stored).toBeGreaterThan(0)
      seeding.child.kill('SIGTERM')
      expect(await seeding.done).toBe(0)
      // Each --reannounce interval re-puts the publisher's signed pointer, reported with running totals.
      const tick = JSON.parse(await reseed.next()) as Record<string, unknown>
      expect(tick).toMatchObject({ rePut: { status: 'stored', seq: 1 }, rePutTotals: { failed: 0 } })
      expect((tick['rePut'] as { stored: number }).stored).toBeGreaterThan(0)
      expect((tick['rePutTotals'] as { stored: number }).stored).toBeGreaterThanOrEqual(2)

      const second = temp()
      const r2 = await run(['--data-dir', second, '--json', 'resolve', publicKey, ...net, '--timeout', '10'])
      expect(r2.code).toBe(0)
      expect(r2.json).toMatchObject({ seq: 1, infohash: r1['infohash'], imported: 30 })
      expect(await exportedLibrary(join(second, 'index.db'))).toEqual(
        await exportedLibrary(join(pub, 'index.db')),
      )
      reseed.child.kill('SIGTERM')
      expect(await reseed.done).toBe(0)

      const misuse = await run(['--data-dir', second, '--json', 'resolve', publicKey, ...net, '--port', '1'])
      expect(misuse.json).toMatchObject({ error: { code: 'USAGE' } })
      const misuse2 = await run([
        ...['--data-dir', second, '--json', 'resolve', publicKey, ...net, '--reannounce', '5'],
      ])
      expect(misuse2.json).toMatchObject({ error: { code: 'USAGE' } })
    },
  )
})
