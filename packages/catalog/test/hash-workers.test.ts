import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// Worker threads run compiled JavaScript, so this file tests the built package (pnpm build first).
import { buildTorrent, type BuildOptions } from '../dist/index.js'
import { fixtures, writeCase } from './fixture-trees.js'

const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'))
const modes: Record<string, BuildOptions> = {
  v1: { version: 'v1' },
  v2: { version: 'v2' },
  hybrid: { version: 'hybrid' },
  'hybrid-no-tail': { version: 'hybrid', tailPadding: false },
}

describe('hashing on worker threads', () => {
  let base = ''
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'bbmesh-catalog-workers-'))
  })
  afterAll(async () => {
    await rm(base, { recursive: true, force: true })
  })

  it('gives libtorrent’s infohashes for every fixture (v1 multi-file falls back to this thread)', async () => {
    for (const c of fixtures.cases) {
      const path = await writeCase(await mkdtemp(join(base, `${c.id}-`)), c)
      for (const [mode, exp] of Object.entries(c.expected)) {
        const built = await buildTorrent(path, { ...modes[mode], pieceLength: c.pieceLength, workers: 2 })
        expect([c.id, mode, hex(built.infohashV1), hex(built.infohashV2)]).toEqual([
          c.id,
          mode,
          exp.infohashV1,
          exp.infohashV2,
        ])
      }
    }
  })

  it('splits big files into piece runs across jobs and matches the single-thread output byte for byte', async () => {
    const dir = join(base, 'big')
    const sizes: [string, number][] = [
      ['a.bin', 9 * 1024 * 1024 + 123],
      ['b/empty', 0],
      ['b/small', 5000],
      ['c.bin', 2 * 1024 * 1024],
      ['d.bin', 1024 * 1024 + 7],
    ]
    for (const [p, n] of sizes) {
      await mkdir(join(dir, ...p.split('/').slice(0, -1)), { recursive: true })
      await writeFile(join(dir, ...p.split('/')), randomBytes(n)) // any bytes: both runs read the same files
    }
    for (const mode of ['v2', 'hybrid', 'hybrid-no-tail']) {
      const opts = { ...modes[mode], pieceLength: 16384 }
      const one = await buildTorrent(dir, { ...opts, workers: 0 })
      const many = await buildTorrent(dir, { ...opts, workers: 2 })
      expect(Buffer.compare(one.torrent, many.torrent)).toBe(0)
      expect(many.pieceLayers.size).toBe(3)
    }
    const single = join(dir, 'a.bin')
    for (const mode of ['v1', 'v2', 'hybrid']) {
      const one = await buildTorrent(single, { ...modes[mode], pieceLength: 65536, workers: 0 })
      const many = await buildTorrent(single, { ...modes[mode], pieceLength: 65536, workers: 2 })
      expect(Buffer.compare(one.torrent, many.torrent)).toBe(0)
    }
  })
})
