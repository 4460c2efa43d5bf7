import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseTorrentFile } from '@bbmesh/catalog'
import { repoRoot } from './run-cli.js'
import { runInProcess } from './catalog-cli-harness.js'

interface Case {
  id: string
  name: string
  pieceLength: number
  files: { path: string[]; length: number }[]
  expected: Record<string, { infohashV1: string | null; infohashV2: string | null }>
}

// The libtorrent-computed expectations that @bbmesh/catalog's own tests use.
const fixtures = JSON.parse(
  readFileSync(join(repoRoot, 'packages/catalog/fixtures/torrent-builder.json'), 'utf8'),
) as { cases: Case[] }
const tree = fixtures.cases.find((c) => c.id === 'nested-tree')!

function content(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length)
  for (let k = 0, off = 0; off < length; k++, off += 32) {
    const ctr = Buffer.alloc(4)
    ctr.writeUInt32BE(k)
    createHash('sha256').update(seed).update(ctr).digest().copy(out, off)
  }
  return out
}

describe('bbmesh torrent create', () => {
  let base = ''
  let src = ''
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'bbmesh-cli-torrent-'))
    src = join(base, tree.name)
    for (const f of tree.files) {
      const full = join(src, ...f.path)
      mkdirSync(dirname(full), { recursive: true })
      writeFileSync(full, content(`${tree.id}:${f.path.join('/')}`, f.length))
    }
  })
  afterEach(() => rmSync(base, { recursive: true, force: true }))

  for (const [flag, mode] of [
    ['--v1', 'v1'],
    ['--v2', 'v2'],
    ['--hybrid', 'hybrid'],
  ] as const) {
    it(`${flag} --json prints the infohashes libtorrent computed and writes that torrent`, async () => {
      const out = join(base, `t-${mode}.torrent`)
      const args = ['--json', 'torrent', 'create', src, '--out', out, flag, '--piece-length', '16KiB']
      const r = await runInProcess(args)
      expect(r.code).toBe('ok')
      const record = JSON.parse(r.stdout.trim()) as Record<string, unknown>
      expect(record).toEqual({
        infohashV1: tree.expected[mode]!.infohashV1,
        infohashV2: tree.expected[mode]!.infohashV2,
        pieceLength: 16384,
        files: tree.files.length,
      })
      const parsed = parseTorrentFile(readFileSync(out))
      const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('hex') : null)
      expect(hex(parsed.infohashV1)).toBe(record.infohashV1)
      expect(hex(parsed.infohashV2)).toBe(record.infohashV2)
    })
  }

  it('defaults to hybrid and prints a human summary without --json', async () => {
    const out = join(base, 'd.torrent')
    const r = await runInProcess(['torrent', 'create', src, '--out', out, '--piece-length', '16384'])
    expect(r.code).toBe('ok')
    expect(r.stdout).toContain(`infohash v1  ${tree.expected.hybrid!.infohashV1}`)
    expect(r.stdout).toContain(`infohash v2  ${tree.expected.hybrid!.infohashV2}`)
  })

  it('rejects bad piece lengths, conflicting versions and missing inputs with coded errors', async () => {
    const out = join(base, 'x.torrent')
    expect(
      (await runInProcess(['torrent', 'create', src, '--out', out, '--piece-length', '1000'])).code,
    ).toBe('USAGE')
    expect((await runInProcess(['torrent', 'create', src, '--out', out, '--v1', '--v2'])).code).toBe(
      'commander.conflictingOption',
    )
    expect((await runInProcess(['torrent', 'create', join(base, 'nope'), '--out', out])).code).toBe(
      'BAD_INPUT',
    )
    expect(
      (await runInProcess(['torrent', 'create', src, '--out', join(base, 'no/dir/x.torrent')])).code,
    ).toBe('OUT_UNWRITABLE')
  })
})
