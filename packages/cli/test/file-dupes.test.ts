import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fixtures, jsonLines, runCli, tempHome } from './run-cli.js'

// The v2 file index through the CLI: show --dupes, search --by-file and the dedup figures of stats.
// open-data-v2 and open-data-hybrid (made by libtorrent from the same files) share three files; a
// third torrent holding one of them is imported as NDJSON with the root the fixtures carry.

const expected = JSON.parse(readFileSync(join(fixtures, 'torrents.expected.json'), 'utf8')) as Record<
  string,
  { infohashV1: string | null; infohashV2: string | null }
>
const V2 = expected['open-data-v2.torrent']!.infohashV2!

interface JsonFile {
  path: string
  size: number
  piecesRoot?: string
}

describe('bbmesh show --dupes / search --by-file / stats (v2 file index)', () => {
  let home: string
  let cleanup: () => void
  beforeEach(() => ({ home, cleanup } = tempHome()))
  afterEach(() => cleanup())

  it('one file in a v2 and two hybrid torrents is one file with three torrents', async () => {
    expect((await runCli(['import', join(fixtures, 'torrents')], { home })).code).toBe(0)
    const shown = jsonLines((await runCli(['--json', 'show', V2], { home })).stdout)[0]!
    const census = (shown.files as JsonFile[]).find((f) => f.path === 'census-2020.csv')!
    expect(census.piecesRoot).toMatch(/^[0-9a-f]{64}$/)
    const mirror = {
      infohashV1: 'ab'.repeat(20),
      infohashV2: 'cd'.repeat(32),
      name: 'Open.Data.Mirror',
      totalSize: census.size + 1000,
      files: [
        { path: '.pad/1000', size: 1000 },
        { path: 'mirror/census-2020.csv', size: census.size, piecesRoot: census.piecesRoot },
      ],
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastSeen: '2026-01-01T00:00:00.000Z',
      source: 'test',
    }
    const imp = await runCli(['import', '-'], { home, input: JSON.stringify(mirror) + '\n' })
    expect(imp.code, imp.stderr).toBe(0)

    const found = await runCli(['--json', 'search', '--by-file', 'census'], { home })
    expect(found.code, found.stderr).toBe(0)
    const files = jsonLines(found.stdout)[0]!.files as {
      piecesRoot: string
      torrentCount: number
      torrents: { name: string; path: string }[]
    }[]
    expect(files).toHaveLength(1)
    expect(files[0]).toMatchObject({ piecesRoot: census.piecesRoot, torrentCount: 3 })
    expect(files[0]!.torrents.map((t) => t.path).sort()).toEqual([
      'census-2020.csv',
      'census-2020.csv',
      'mirror/census-2020.csv',
    ])

    const dupes = await runCli(['--json', 'show', V2, '--dupes'], { home })
    const byPath = new Map(
      (jsonLines(dupes.stdout)[0]!.files as { path: string; otherCount: number }[]).map((f) => [
        f.path,
        f.otherCount,
      ]),
    )
    expect(Object.fromEntries(byPath)).toEqual({
      'README.txt': 1,
      'census-2020.csv': 2,
      'maps/world-110m.geojson': 1,
    })
    const text = await runCli(['show', V2, '--dupes'], { home })
    expect(text.stdout).toMatch(/census-2020\.csv .* in 2 others/)
    expect(text.stdout).toContain('Open.Data.Mirror  mirror/census-2020.csv')

    const stats = jsonLines((await runCli(['--json', 'stats'], { home })).stdout)[0]!
    // The fixtures' three shared files (once more each) plus the mirror's census copy.
    const sizes = (shown.files as JsonFile[]).reduce((a, f) => a + f.size, 0)
    expect(stats).toMatchObject({
      filesWithRoot: 7,
      distinctRoots: 3,
      sharedRoots: 3,
      dedupBytes: sizes + census.size,
    })
    expect((await runCli(['stats'], { home })).stdout).toMatch(/v2 files +7 with a pieces root, 3 distinct/)
  }, 120_000)

  it('one-line usage errors for options that do not fit', async () => {
    for (const args of [
      ['search', '--by-file', 'census', '--page', '2'],
      ['search', '--by-file', 'census', '--limit', '101'],
      ['search', 'census', '--max-torrents', '3'],
      ['show', V2, '--dupes', '--max-torrents', '0'],
    ]) {
      const r = await runCli(args, { home })
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  }, 60_000)
})
