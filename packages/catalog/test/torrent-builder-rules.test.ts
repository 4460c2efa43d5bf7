import { writeFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile, mkdir, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bdecode, buildTorrent, CatalogError, isDict, magnetLink, rootFromPieceLayer } from '../src/index.js'
import { content } from './fixture-trees.js'

const files = [
  { path: ['b', 'two.bin'], data: content('two', 50_000) },
  { path: ['a.txt'], data: content('one', 10) },
  { path: ['empty'], data: new Uint8Array(0) },
]

describe('buildTorrent rules', () => {
  let base = ''
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'bbmesh-catalog-rules-'))
  })
  afterAll(async () => {
    await rm(base, { recursive: true, force: true })
  })

  it('is deterministic: same input in any order gives byte-identical output, from memory or disk', async () => {
    const a = await buildTorrent({ name: 'lib', files })
    const b = await buildTorrent({ name: 'lib', files: [...files].reverse() })
    expect(Buffer.compare(a.torrent, b.torrent)).toBe(0)
    const dir = join(base, 'lib')
    for (const f of files) {
      await mkdir(join(dir, ...f.path.slice(0, -1)), { recursive: true })
      await writeFile(join(dir, ...f.path), f.data)
    }
    const c = await buildTorrent(dir)
    expect(Buffer.compare(a.torrent, c.torrent)).toBe(0)
    expect(a.fileCount).toBe(3)
    expect(a.totalSize).toBe(50_010)
  })

  it('adds a creation date and other outer keys only when asked, without changing the infohash', async () => {
    const plain = await buildTorrent({ name: 'lib', files })
    const top = bdecode(plain.torrent)
    expect(isDict(top) && [...top.keys()]).toEqual(['info', 'piece layers'])
    const dated = await buildTorrent({ name: 'lib', files }, { creationDate: 1_700_000_000, comment: 'c' })
    const top2 = bdecode(dated.torrent)
    expect(isDict(top2) && top2.get('creation date')).toBe(1_700_000_000)
    expect(Buffer.from(dated.infohashV2!).equals(Buffer.from(plain.infohashV2!))).toBe(true)
    const priv = await buildTorrent({ name: 'lib', files }, { private: true })
    expect(Buffer.from(priv.infohashV2!).equals(Buffer.from(plain.infohashV2!))).toBe(false)
  })

  it('piece layers hash up to the pieces root of their file', async () => {
    const built = await buildTorrent({ name: 'big', data: content('big', 300_000) }, { pieceLength: 32_768 })
    expect(built.pieceLayers.size).toBe(1)
    const [root, layer] = [...built.pieceLayers][0]!
    expect(layer.byteLength).toBe(32 * Math.ceil(300_000 / 32_768))
    expect(rootFromPieceLayer(layer, 32_768).toString('hex')).toBe(root)
    expect(Buffer.from(built.files[0]!.piecesRoot!).toString('hex')).toBe(root)
  })

  it('keeps raw non-UTF-8 path elements and sorts them as bytes', async () => {
    const raw = new Uint8Array([0x66, 0xff, 0x6f])
    const built = await buildTorrent({ name: 'n', files: [{ path: [raw], data: content('x', 3) }, ...files] })
    expect(built.files.map((f) => Buffer.from(f.path[0]!).toString('latin1'))).toEqual([
      'a.txt',
      'b',
      'empty',
      'f\xffo',
    ])
  })

  it('refuses bad piece lengths, empty inputs, conflicting and unsafe paths', async () => {
    const code = async (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof CatalogError ? e.code : String(e)),
      )
    expect(await code(buildTorrent({ name: 'x', files }, { pieceLength: 20_000 }))).toBe('BAD_PIECE_LENGTH')
    expect(await code(buildTorrent({ name: 'x', files }, { pieceLength: 8192 }))).toBe('BAD_PIECE_LENGTH')
    expect(await code(buildTorrent({ name: 'x', files: [] }))).toBe('BAD_INPUT')
    const d = new Uint8Array(1)
    expect(
      await code(
        buildTorrent({
          name: 'x',
          files: [
            { path: ['a'], data: d },
            { path: ['a', 'b'], data: d },
          ],
        }),
      ),
    ).toBe('BAD_INPUT')
    expect(
      await code(
        buildTorrent({
          name: 'x',
          files: [
            { path: ['a'], data: d },
            { path: ['a'], data: d },
          ],
        }),
      ),
    ).toBe('BAD_INPUT')
    expect(await code(buildTorrent({ name: 'x', files: [{ path: ['..', 'a'], data: d }] }))).toBe('BAD_INPUT')
    expect(await code(buildTorrent({ name: 'x', files: [{ path: ['a/b'], data: d }] }))).toBe('BAD_INPUT')
    expect(await code(buildTorrent(join(base, 'does-not-exist')))).toBe('BAD_INPUT')
  })

  it('skips symlinks when reading a directory', async () => {
    const dir = join(base, 'links')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'real'), content('r', 100))
    await symlink(join(dir, 'real'), join(dir, 'link'))
    const built = await buildTorrent(dir)
    expect(built.files.map((f) => Buffer.from(f.path[0]!).toString())).toEqual(['real'])
  })

  it('chooses a power-of-two piece length by default', async () => {
    const built = await buildTorrent({ name: 'x', data: content('p', 100_000) })
    expect(built.pieceLength).toBe(16_384)
    expect(built.version).toBe('hybrid')
  })
})

describe('magnetLink', () => {
  it('carries btih for v1, btmh 1220 for v2, both for hybrid, and the name', async () => {
    const data = content('m', 100)
    const hybrid = await buildTorrent({ name: 'a b', data })
    const v1 = Buffer.from(hybrid.infohashV1!).toString('hex')
    const v2 = Buffer.from(hybrid.infohashV2!).toString('hex')
    expect(magnetLink(hybrid)).toBe(`magnet:?xt=urn:btih:${v1}&xt=urn:btmh:1220${v2}&dn=a%20b`)
    const onlyV2 = await buildTorrent({ name: 'x', data }, { version: 'v2' })
    expect(magnetLink({ ...onlyV2, name: undefined })).toMatch(/^magnet:\?xt=urn:btmh:1220[0-9a-f]{64}$/)
    expect(() => magnetLink({ infohashV1: null, infohashV2: null })).toThrow(RangeError)
  })
})

describe('progress and changing inputs', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bbmesh-catalog-progress-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reports progress up to the total size', async () => {
    await writeFile(join(dir, 'p.bin'), content('p', 3 * 1024 * 1024 + 5))
    const seen: [number, number][] = []
    const built = await buildTorrent(join(dir, 'p.bin'), { onProgress: (a, b) => seen.push([a, b]) })
    expect(seen.length).toBeGreaterThanOrEqual(4) // 1 MiB reads
    expect(seen.at(-1)).toEqual([built.totalSize, built.totalSize])
    expect(seen.every(([a], i) => i === 0 || a > seen[i - 1]![0])).toBe(true)
  })

  it('fails with INPUT_CHANGED when a file grows or shrinks while it is hashed', async () => {
    const path = join(dir, 'grow.bin')
    for (const [before, after] of [
      [3 * 1024 * 1024, 100],
      [100, 3 * 1024 * 1024],
    ] as const) {
      await writeFile(path, content('g', before))
      let changed = false
      const err = await buildTorrent(path, {
        onProgress: () => {
          if (changed) return
          changed = true
          writeFileSync(path, content('h', after))
        },
      }).catch((e: unknown) => e)
      expect((err as CatalogError).code).toBe('INPUT_CHANGED')
    }
  })
})
