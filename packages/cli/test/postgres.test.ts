import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest'
import { describePostgres } from './pg-schemas.js'
import { fixtures, jsonLines, runCli, tempHome } from './run-cli.js'

// The CLI on a Postgres index (--db postgres://… or BBMESH_DB); pg-schemas.ts says when it skips.

/** An NDJSON export line for synthetic torrent `i`, last seen on `day` of January 2026. */
function line(i: number, day: number): string {
  return JSON.stringify({
    infohashV1: createHash('sha1').update(`cli-pg-${i}`).digest('hex'),
    infohashV2: null,
    name: `Synthetic.Release.${i}.1080p-GRP`,
    totalSize: 1000 + i,
    pieceLength: 16384,
    private: false,
    firstSeen: `2026-01-0${day}T00:00:00.000Z`,
    lastSeen: `2026-01-1${day}T00:00:00.000Z`,
    seenCount: day,
    metadataFetchedAt: null,
    source: 'import',
    files: [
      { path: `Synthetic.Release.${i}.1080p-GRP.mkv`, size: 1000 + i - 10 },
      { path: 'Sample/sample.mkv', size: 10 },
    ],
  })
}

const sorted = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .sort()

describePostgres('bbmesh on Postgres', (pgs) => {
  let home: string
  let cleanup: () => void
  beforeEach(() => ({ home, cleanup } = tempHome()))
  afterEach(() => cleanup())
  afterAll(() => pgs.dropAll())

  it(
    'import, search, show, stats and export work on --db postgres://… as on a file',
    { timeout: 90_000 },
    async () => {
      const db = await pgs.fresh()
      const file = ['--db', join(home, 'i.db')]
      const imp = await runCli([...file, 'import', join(fixtures, 'torrents')], { home })
      expect(imp.code, imp.stderr).toBe(0)
      // Through an export, so both indexes hold the same timestamps (an import is "seen now").
      const a = await runCli([...file, 'export', '--ndjson'], { home })
      const nd = join(home, 'fixtures.ndjson')
      writeFileSync(nd, a.stdout)
      const imp2 = await runCli(['--db', db, '--json', 'import', nd], { home })
      expect(imp2.code, imp2.stderr).toBe(0)
      const res = await runCli(['--db', db, '--json', 'search', 'ubuntu', '24.04'], { home })
      expect(res.code, res.stderr).toBe(0)
      const hits = jsonLines(res.stdout)[0]!.hits as { name: string; infohashV1: string }[]
      expect(hits[0]?.name).toBe('ubuntu-24.04.1-desktop-amd64.iso')
      const show = await runCli(['--json', 'show', hits[0]!.infohashV1], { home, env: { BBMESH_DB: db } })
      expect(jsonLines(show.stdout)[0]).toMatchObject({ name: 'ubuntu-24.04.1-desktop-amd64.iso' })
      const stats = await runCli(['--db', db, '--json', 'stats'], { home })
      const s = jsonLines(stats.stdout)[0]!
      expect(s.torrents).toBeGreaterThan(3)
      const b = await runCli(['--db', db, 'export', '--ndjson'], { home })
      expect(b.code, b.stderr).toBe(0)
      expect(b.stdout.split('\n').length).toBeGreaterThan(3)
      expect(b.stdout).toBe(a.stdout)
    },
  )

  it('db migrate copies a file index into Postgres and verifies the copy', { timeout: 90_000 }, async () => {
    const db = await pgs.fresh()
    const file = join(home, 'src.db')
    expect((await runCli(['--db', file, 'import', join(fixtures, 'torrents')], { home })).code).toBe(0)
    const mig = await runCli(['--json', 'db', 'migrate', '--from', `sqlite:${file}`, '--to', db], { home })
    expect(mig.code, mig.stderr).toBe(0)
    const r = jsonLines(mig.stdout).at(-1)!
    expect(r).toMatchObject({ event: 'summary', verified: r.torrents })
    expect(r.torrents).toBeGreaterThan(3)
    expect(r.cachedInfos).toBe(r.torrents)
    const a = await runCli(['--db', file, 'export', '--ndjson', '--with-info'], { home })
    const b = await runCli(['--db', db, 'export', '--ndjson', '--with-info'], { home })
    expect(b.code, b.stderr).toBe(0)
    expect(b.stdout).toBe(a.stdout)
    // A second copy into the now non-empty target is refused, not merged.
    const again = await runCli(['db', 'migrate', '--from', file, '--to', db], { home })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already holds torrents')
  })

  it(
    'three concurrent imports into one database lose and duplicate nothing',
    { timeout: 120_000 },
    async () => {
      const db = await pgs.fresh()
      // Overlapping ranges, each file seeing the overlap on other days (max/min merges must hold).
      const parts = [
        Array.from({ length: 400 }, (_, i) => line(i, 1)),
        Array.from({ length: 400 }, (_, i) => line(i + 200, 2)),
        Array.from({ length: 400 }, (_, i) => line((i * 7) % 600, 3)),
      ]
      const files = parts.map((p, n) => {
        const f = join(home, `part-${n}.ndjson`)
        writeFileSync(f, p.join('\n') + '\n')
        return f
      })
      await runCli(['--db', db, 'stats'], { home }) // migrate once, so the writers race on rows only
      const runs = await Promise.all(
        files.map((f, n) =>
          n === 0
            ? runCli(['import', '--batch', '25', f], { home, env: { BBMESH_DB: db }, timeoutMs: 100_000 })
            : runCli(['--db', db, 'import', '--batch', '25', f], { home, timeoutMs: 100_000 }),
        ),
      )
      for (const r of runs) expect(r.code, r.stderr).toBe(0)
      // The same three files imported one after another into a file index: the expected union.
      const file = ['--db', join(home, 'serial.db')]
      for (const f of files) expect((await runCli([...file, 'import', f], { home })).code).toBe(0)
      const want = sorted((await runCli([...file, 'export', '--ndjson'], { home })).stdout)
      const got = sorted((await runCli(['--db', db, 'export', '--ndjson'], { home })).stdout)
      expect(want).toHaveLength(600)
      expect(got).toEqual(want)
    },
  )
})
