import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bdecode,
  buildTorrent,
  isBytes,
  isDict,
  isList,
  type BuildOptions,
  type BuiltTorrent,
} from '../src/index.js'
import {
  content,
  fixtures,
  seedOf,
  writeCase,
  type FixtureCase,
  type FixtureResult,
} from './fixture-trees.js'

const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'))
const text = (parts: Uint8Array[]): string[] => parts.map((p) => Buffer.from(p).toString('utf8'))

const modeOptions: Record<string, BuildOptions> = {
  v1: { version: 'v1' },
  v2: { version: 'v2' },
  hybrid: { version: 'hybrid' },
  'hybrid-no-tail': { version: 'hybrid', tailPadding: false },
}

function memorySource(c: FixtureCase) {
  const first = c.files[0]!
  if (c.single) return { name: c.name, data: content(seedOf(c, first), first.length) }
  return {
    name: c.name,
    files: c.files.map((f) => ({ path: f.path, data: content(seedOf(c, f), f.length) })),
  }
}

/** The v1 file list (pads included) as the .torrent carries it, in libtorrent's fixture shape. */
function v1Files(built: BuiltTorrent): { path: string[]; length: number; pad: boolean }[] {
  const top = bdecode(built.torrent)
  const info = isDict(top) ? top.get('info') : undefined
  if (!isDict(info)) throw new Error('no info')
  const files = info.get('files')
  if (!isList(files)) return [{ path: text([built.name]), length: built.totalSize, pad: false }]
  return files.map((f) => {
    if (!isDict(f)) throw new Error('bad entry')
    const path = f.get('path')
    const attr = f.get('attr')
    return {
      path: isList(path) ? text(path.filter(isBytes)) : [],
      length: f.get('length') as number,
      pad: isBytes(attr) && Buffer.from(attr).toString().includes('p'),
    }
  })
}

function checkAgainst(built: BuiltTorrent, exp: FixtureResult, mode: string): void {
  expect(hex(built.infohashV1)).toBe(exp.infohashV1)
  expect(hex(built.infohashV2)).toBe(exp.infohashV2)
  const roots = exp.files.filter((f) => !f.pad).map((f) => ({ path: f.path, root: f.piecesRoot ?? null }))
  expect(built.files.map((f) => ({ path: text(f.path), root: hex(f.piecesRoot) }))).toEqual(roots)
  expect(Object.fromEntries([...built.pieceLayers].map(([k, v]) => [k, hex(v)]))).toEqual(exp.pieceLayers)
  if (mode !== 'v2') {
    expect(v1Files(built)).toEqual(exp.files.map(({ path, length, pad }) => ({ path, length, pad })))
  }
  const info = bdecode(built.info)
  expect(isDict(info) && [...info.keys()].sort()).toEqual(exp.infoKeys)
  const pieces = isDict(info) ? info.get('pieces') : undefined
  expect(isBytes(pieces) ? createHash('sha256').update(pieces).digest('hex') : null).toBe(exp.v1PiecesSha256)
}

describe('buildTorrent against libtorrent fixtures', () => {
  let base = ''
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'bbmesh-catalog-'))
  })
  afterAll(async () => {
    await rm(base, { recursive: true, force: true })
  })

  for (const c of fixtures.cases) {
    for (const [mode, exp] of Object.entries(c.expected)) {
      it(`${c.id} ${mode}: from memory`, async () => {
        const built = await buildTorrent(memorySource(c), {
          ...modeOptions[mode],
          pieceLength: c.pieceLength,
        })
        checkAgainst(built, exp, mode)
      })
      it(`${c.id} ${mode}: from disk`, async () => {
        const dir = await mkdtemp(join(base, `${c.id}-`))
        const path = await writeCase(dir, c)
        const built = await buildTorrent(path, { ...modeOptions[mode], pieceLength: c.pieceLength })
        checkAgainst(built, exp, mode)
      })
    }
  }
})
