import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fixtures, jsonLines, runCli, tempHome } from './run-cli.js'

const goodTorrents = readdirSync(join(fixtures, 'torrents')).filter((f) => f.endsWith('.torrent'))

describe('bbmesh import / search / show / stats / export', () => {
  let home: string
  let cleanup: () => void
  beforeEach(() => ({ home, cleanup } = tempHome()))
  afterEach(() => cleanup())

  it('imports a folder of .torrent files and finds them the way people type names', async () => {
    const imp = await runCli(['--json', 'import', join(fixtures, 'torrents')], { home })
    expect(imp.code, imp.stderr).toBe(0)
    const summary = jsonLines(imp.stdout).at(-1)!
    expect(summary).toMatchObject({ event: 'summary', inserted: goodTorrents.length, updated: 0, skipped: 0 })

    const res = await runCli(['--json', 'search', 'ubuntu', '24.04'], { home })
    expect(res.code, res.stderr).toBe(0)
    const page = jsonLines(res.stdout)[0]!
    const hits = page.hits as { name: string; infohashV1: string }[]
    expect(hits[0]?.name).toBe('ubuntu-24.04.1-desktop-amd64.iso')

    const bunny = await runCli(['--json', 'search', 'big buck bunny', '--ext', 'srt'], { home })
    expect((jsonLines(bunny.stdout)[0]!.hits as { name: string }[]).map((h) => h.name)).toEqual([
      'Big.Buck.Bunny.2008.1080p.BluRay.x264-GRP',
    ])

    const show = await runCli(['--json', 'show', hits[0]!.infohashV1], { home })
    expect(show.code, show.stderr).toBe(0)
    const detail = jsonLines(show.stdout)[0]!
    expect(detail).toMatchObject({ name: 'ubuntu-24.04.1-desktop-amd64.iso', size: 6203355136 })
    expect(detail.magnet).toBe(
      `magnet:?xt=urn:btih:${hits[0]!.infohashV1}&dn=ubuntu-24.04.1-desktop-amd64.iso`,
    )

    const stats = await runCli(['--json', 'stats'], { home })
    expect(jsonLines(stats.stdout)[0]).toMatchObject({ torrents: goodTorrents.length })
  })

  it('re-importing is idempotent', async () => {
    await runCli(['import', join(fixtures, 'torrents')], { home })
    const again = await runCli(['--json', 'import', join(fixtures, 'torrents')], { home })
    expect(jsonLines(again.stdout).at(-1)).toMatchObject({ inserted: 0, updated: goodTorrents.length })
    const stats = await runCli(['--json', 'stats'], { home })
    expect(jsonLines(stats.stdout)[0]).toMatchObject({ torrents: goodTorrents.length })
  })

  it('reports corrupt files, skips them, imports the rest and exits 3', async () => {
    const imp = await runCli(['--json', 'import', join(fixtures, 'corrupt'), join(fixtures, 'torrents')], {
      home,
    })
    expect(imp.code).toBe(3)
    const summary = jsonLines(imp.stdout).at(-1)!
    expect(summary).toMatchObject({ inserted: goodTorrents.length, skipped: 4 })
    const files = (summary.errors as { file: string; reason: string }[]).map((e) => e.file.split('/').at(-1))
    expect(files.sort()).toEqual([
      'negative-length.torrent',
      'no-info.torrent',
      'not-bencode.torrent',
      'truncated.torrent',
    ])
    expect(imp.stderr).toMatch(/skipped .*not-bencode\.torrent: /)
    expect(imp.stderr).not.toMatch(/\n\s+at /)
  })

  it('exports NDJSON that imports into an identical index, non-UTF-8 names included', async () => {
    await runCli(['import', join(fixtures, 'torrents')], { home })
    const exp = await runCli(['export', '--ndjson'], { home })
    expect(exp.code, exp.stderr).toBe(0)
    const lines = exp.stdout.trim().split('\n')
    expect(lines).toHaveLength(goodTorrents.length)

    const other = tempHome()
    try {
      const imp = await runCli(['--json', 'import', '-'], { home: other.home, input: exp.stdout })
      expect(imp.code, imp.stderr).toBe(0)
      const again = await runCli(['export', '--ndjson'], { home: other.home })
      const key = (l: string): string => {
        const o = JSON.parse(l) as Record<string, unknown>
        delete o.firstSeen
        delete o.lastSeen
        return JSON.stringify(o)
      }
      expect(again.stdout.trim().split('\n').map(key).sort()).toEqual(lines.map(key).sort())
      const latin = await runCli(['--json', 'search', 'volumen uno'], { home: other.home })
      const hit = (jsonLines(latin.stdout)[0]!.hits as { name: string }[])[0]
      expect(hit?.name).toBe('Caf\uFFFD del Mar - Volumen Uno (1994)')
    } finally {
      other.cleanup()
    }
  })

  it('reports a bad NDJSON line with its line number and goes on', async () => {
    await runCli(['import', join(fixtures, 'torrents')], { home })
    const exp = await runCli(['export'], { home })
    const lines = exp.stdout.trim().split('\n')
    lines.splice(2, 0, '{"name": 42, "oops": true}')
    const other = tempHome()
    try {
      const imp = await runCli(['--json', 'import', '-'], {
        home: other.home,
        input: lines.join('\n') + '\n',
      })
      expect(imp.code).toBe(3)
      const summary = jsonLines(imp.stdout).at(-1)!
      expect(summary).toMatchObject({ inserted: goodTorrents.length, skipped: 1 })
      expect(summary.errors).toMatchObject([{ file: '-', line: 3 }])
    } finally {
      other.cleanup()
    }
  })
})

describe('bbmesh import agrees with libtorrent about every fixture', () => {
  // fixtures/torrents.expected.json was written by libtorrent (fixtures/make-torrents.py).
  const expected = JSON.parse(readFileSync(join(fixtures, 'torrents.expected.json'), 'utf8')) as Record<
    string,
    {
      infohashV1: string | null
      infohashV2: string | null
      files: number
      size: number
      pieceLength: number
      private: boolean
    }
  >

  it('imports v1, v2 and hybrid torrents with the infohashes, sizes and file counts libtorrent reads', async () => {
    const { home, cleanup } = tempHome()
    try {
      const imp = await runCli(['import', join(fixtures, 'torrents')], { home })
      expect(imp.code, imp.stderr).toBe(0)
      expect(Object.keys(expected).sort()).toEqual([...goodTorrents].sort())
      for (const [file, want] of Object.entries(expected)) {
        const res = await runCli(['--json', 'show', (want.infohashV1 ?? want.infohashV2)!], { home })
        expect(res.code, `${file}: ${res.stderr}`).toBe(0)
        const got = jsonLines(res.stdout)[0]!
        expect(got, file).toMatchObject({
          infohashV1: want.infohashV1,
          infohashV2: want.infohashV2,
          size: want.size,
          pieceLength: want.pieceLength,
          private: want.private,
        })
        const files = got.files as { path: string; piecesRoot?: string }[]
        expect(files, file).toHaveLength(want.files)
        // v2 and hybrid torrents carry a merkle root per non-empty file; v1 torrents carry none.
        for (const f of files)
          expect(f.piecesRoot !== undefined, `${file} ${f.path}`).toBe(want.infohashV2 !== null)
      }
    } finally {
      cleanup()
    }
    // One CLI process per fixture: on a loaded 2-core machine each start takes seconds.
  }, 120_000)
})
