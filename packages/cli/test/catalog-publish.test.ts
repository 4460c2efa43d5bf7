import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseTorrentFile } from '@bbmesh/catalog'
import { openIndex } from '@bbmesh/index'
import { ingest, run, start, temp, torrents, useCatalogTestnet } from './catalog-process.js'

const testnet = useCatalogTestnet()

describe('bbmesh catalog build', () => {
  it('writes the catalog torrent and files, prints both infohashes, and is deterministic', async () => {
    const home = temp()
    await ingest(home, torrents(0, 40))
    const out = temp()
    const a = await run(['--data-dir', home, '--json', 'catalog', 'build', '--out', out, '--sharded'])
    expect(a.code).toBe(0)
    expect(a.json).toMatchObject({
      torrent: join(out, 'bbmesh-catalog.torrent'),
      layout: 'sharded',
      entries: 40,
    })
    const parsed = parseTorrentFile(readFileSync(a.json['torrent'] as string))
    expect(Buffer.from(parsed.infohashV1!).toString('hex')).toBe(a.json['infohashV1'])
    expect(Buffer.from(parsed.infohashV2!).toString('hex')).toBe(a.json['infohashV2'])
    expect(readFileSync(join(out, 'bbmesh-catalog', 'catalog.json'), 'utf8')).toContain('"entries":40')
    const b = await run(['--data-dir', home, '--json', 'catalog', 'build', '--out', temp(), '--sharded'])
    expect(b.json['infohashV1']).toBe(a.json['infohashV1'])
    const whole = await run(['--data-dir', home, '--json', 'catalog', 'build', '--out', temp()])
    expect(whole.json['layout']).toBe('whole')
    expect(whole.json['infohashV1']).not.toBe(a.json['infohashV1'])
    const none = await run(['--data-dir', temp(), '--json', 'catalog', 'build', '--out', temp()])
    expect(none.code).toBe(1)
    expect(none.json).toMatchObject({ error: { code: 'NO_INDEX' } })
  })
})

describe('bbmesh publish / resolve (loopback DHT, separate processes)', () => {
  it('a second process resolves the published library; --once republishes with a higher seq', async () => {
    const bootstrap = testnet().bootstrap.join(',')
    const pub = temp()
    const minted = await run(['--data-dir', pub, '--json', 'keys', 'mint'])
    const publicKey = minted.json['publicKey'] as string
    await ingest(pub, torrents(0, 60))

    const seeding = start([
      '--data-dir',
      pub,
      '--json',
      'publish',
      '--salt',
      'lib',
      '--bootstrap',
      bootstrap,
      '--host',
      '127.0.0.1',
      '--sharded',
    ])
    const first = JSON.parse(await seeding.next()) as Record<string, unknown>
    expect(first).toMatchObject({ publicKey, seq: 1, entries: 60 })

    const res = temp()
    const resolveArgs = [
      '--data-dir',
      res,
      '--json',
      'resolve',
      `bbmesh:pub:${publicKey}`,
      '--salt',
      'lib',
      '--bootstrap',
      bootstrap,
      '--host',
      '127.0.0.1',
      '--timeout',
      '10',
    ]
    const r1 = await run(resolveArgs)
    expect(r1.code).toBe(0)
    expect(Object.keys(r1.json).sort()).toEqual([
      'bytesFetched',
      'imported',
      'infohash',
      'publicKey',
      'removed',
      'replaced',
      'retained',
      'seq',
    ])
    expect(r1.json).toMatchObject({ publicKey, seq: 1, infohash: first['infohash'], imported: 60 })
    expect(r1.json['bytesFetched']).toBeGreaterThan(0)
    const index = await openIndex({ path: join(res, 'index.db'), readonly: true })
    expect((await index.stats()).torrents).toBe(60)
    await index.close()

    seeding.child.kill('SIGTERM')
    expect(await seeding.done).toBe(0)

    await ingest(pub, torrents(60, 1))
    const again = await run([
      '--data-dir',
      pub,
      '--json',
      'publish',
      '--salt',
      'lib',
      '--bootstrap',
      bootstrap,
      '--host',
      '127.0.0.1',
      '--sharded',
      '--once',
    ])
    expect(again.code).toBe(0)
    expect(again.json).toMatchObject({ seq: 2, entries: 61, changed: true })

    const bad = await run(['--data-dir', res, '--json', 'resolve', 'nope', '--bootstrap', bootstrap])
    expect(bad.code).toBe(1)
    expect(bad.json).toMatchObject({ error: { code: 'USAGE' } })
  })
})
