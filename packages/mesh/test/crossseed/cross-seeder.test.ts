// The cross-seeder over a real index and a real PieceServer on loopback: torrent A is seeded from
// memory, the index knows torrents B (hybrid, other piece length) and B2 (v2-only) sharing a file with
// A, and a torrent C sharing it without cached metadata. B and B2 get seeded and announced, and B's shared file downloads from the server.
import { buildTorrent, type BuiltTorrent, type MemoryFile } from '@bbmesh/catalog'
import { openIndex, type PooledIndex } from '@bbmesh/index'
import { MemoryStorage, PieceServer, downloadPieces, layoutFromInfo, piecesOfFile } from '@bbmesh/wire'
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { CrossSeeder, infoToTorrent } from '../../src/index.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

const shared = randomBytes(120_000)
const file = (name: string, data: Uint8Array): MemoryFile => ({ path: [name], data })
const build = (name: string, files: MemoryFile[], version: 'v2' | 'hybrid', pieceLength: number) =>
  buildTorrent({ name, files }, { version, pieceLength })

async function ingest(index: PooledIndex, t: BuiltTorrent, withInfo = true): Promise<void> {
  const input = infoToTorrent(t.info, (t.infohashV1 ?? t.infohashV2) as Uint8Array, 'test', new Date())
  if (!withInfo) delete input.rawInfo
  await index.ingest([input])
}

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('CrossSeeder', () => {
  it('seeds and announces the torrents of the index that share a file with A, and serves it', async () => {
    const aOnly = randomBytes(30_000)
    const a = await build('A', [file('a-only.bin', aOnly), file('shared.bin', shared)], 'v2', 16384)
    const b = await build(
      'B',
      [file('b-only.bin', randomBytes(50_000)), file('shared.bin', shared)],
      'hybrid',
      32768,
    )
    const b2 = await build('B2', [file('film.bin', shared), file('z.txt', randomBytes(10))], 'v2', 16384)
    const c = await build('C', [file('shared.bin', shared), file('c.bin', randomBytes(9))], 'v2', 65536)
    const index = await openIndex({ path: ':memory:' })
    cleanups.push(() => index.close())
    for (const t of [a, b, b2]) await ingest(index, t)
    await ingest(index, c, false)

    const server = new PieceServer()
    const { port } = await server.listen(0, '127.0.0.1')
    cleanups.push(() => server.close())
    const la = layoutFromInfo(a.info)
    const storageA = MemoryStorage.seed(
      la,
      new Map([
        ['a-only.bin', aOnly],
        ['shared.bin', shared],
      ]),
    )
    server.add(a.info, storageA)
    const announced: string[] = []
    const dht = {
      announce: async (ih: Uint8Array, p?: number) => (
        announced.push(`${Buffer.from(ih).toString('hex')}:${p}`),
        3
      ),
    }
    const served: string[] = []
    const roots = { serve: (rs: Iterable<Uint8Array>) => void served.push(...[...rs].map((r) => hexOf(r))) }
    const seeder = new CrossSeeder({ index, server, dht, roots })
    const out = await seeder.seedFrom(a.info, storageA)
    // A's complete files are told to members (bb_roots) by root: B's shared file is among them.
    const rootsOf = (info: Uint8Array): string[] =>
      layoutFromInfo(info)
        .files.filter((x) => !x.pad && x.piecesRoot)
        .map((x) => hexOf(x.piecesRoot!))
    expect(served.sort()).toEqual(rootsOf(a.info).sort())
    const sharedRoot = rootsOf(b.info).find((r) => rootsOf(c.info).includes(r))
    expect(sharedRoot).toBeDefined()
    expect(served).toContain(sharedRoot)
    const hex = (ih: Uint8Array | null): string =>
      Buffer.from(ih ?? [])
        .subarray(0, 20)
        .toString('hex')
    expect(new Map(out.map((o) => [o.infohash, [o.status, o.files]]))).toEqual(
      new Map([
        [hex(b.infohashV1), ['seeded', ['shared.bin']]],
        [hex(b2.infohashV2), ['seeded', ['film.bin']]],
        [hex(c.infohashV2), ['no-metadata', []]],
      ]),
    )
    // A hybrid is announced under its v1 hash and its truncated v2 hash; a v2-only one under the latter.
    expect(announced.sort()).toEqual(
      [hex(b.infohashV1), hex(b.infohashV2), hex(b2.infohashV2)].map((h) => `${h}:${port}`).sort(),
    )
    const outB = out.find((o) => o.infohash === hex(b.infohashV1))
    expect(outB).toMatchObject({ announced: 6, announceAs: [hex(b.infohashV1), hex(b.infohashV2)] })
    // Running again: the B's it added are refreshed; a torrent seeded otherwise is never replaced.
    server.remove(hex(b2.infohashV2))
    server.add(b2.info, MemoryStorage.empty(layoutFromInfo(b2.info)))
    const again = await new CrossSeeder({ index, server }).seedFrom(a.info, storageA)
    expect(again.find((o) => o.infohash === hex(b2.infohashV2))?.status).toBe('already-seeded')

    const lb = layoutFromInfo(b.info)
    const f = lb.files.find((x) => !x.pad && Buffer.from(x.path[0] ?? []).toString() === 'shared.bin')
    const res = await downloadPieces({
      info: b.info,
      peers: [{ host: '127.0.0.1', port }],
      pieces: piecesOfFile(lb, f as NonNullable<typeof f>),
    })
    expect(Buffer.from((res.storage as MemoryStorage).file('shared.bin') ?? []).equals(shared)).toBe(true)

    expect(seeder.seeded).toHaveLength(2)
    expect((await seeder.seedFrom(a.info, storageA)).filter((o) => o.status === 'seeded')).toHaveLength(2)
    seeder.stop()
    seeder.stop()
    expect(seeder.seeded).toHaveLength(0)
  })
})
