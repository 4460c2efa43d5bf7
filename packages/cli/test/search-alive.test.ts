// Swarm liveness on the command line: `search --alive [DURATION]` keeps only torrents a harvest saw
// alive within it, hits show it (`alive` column, --json lastAlive/peersSeen), and `show` prints it.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { openIndex, type TorrentInput } from '@bbmesh/index'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempHome } from './run-cli.js'

const { home, cleanup } = tempHome()
const t = (tag: string): TorrentInput => ({
  infohashV1: createHash('sha1').update(tag).digest(),
  name: `Open.Movie.${tag}.1080p`,
  files: [{ path: `Open.Movie.${tag}.1080p.mkv`, size: 2e9 }],
  source: 'import',
})
const fresh = t('fresh')
const stale = t('stale')
const dead = t('dead')
const hex = (x: TorrentInput): string => Buffer.from(x.infohashV1!).toString('hex')
const HOUR = 3_600_000

interface JsonHit {
  infohashV1: string
  lastAlive: string | null
  peersSeen: number | null
}

beforeAll(async () => {
  const index = await openIndex({ path: join(home, 'index.db') })
  await index.ingest([fresh, stale, dead])
  await index.recordLiveness([
    { infohash: fresh.infohashV1!, peers: 14, at: new Date(Date.now() - 2 * HOUR) },
    { infohash: stale.infohashV1!, peers: 3, at: new Date(Date.now() - 20 * 24 * HOUR) },
  ])
  await index.close()
})
afterAll(() => cleanup())

describe('search --alive and liveness in show', () => {
  it('--alive keeps torrents seen alive within the default 7d, or the given duration', async () => {
    const week = await runCli(['--json', 'search', '--alive', '--', 'open', 'movie'], { home })
    expect(week.code, week.stderr).toBe(0)
    const hits = (JSON.parse(week.stdout) as { hits: JsonHit[] }).hits
    expect(hits.map((h) => h.infohashV1)).toEqual([hex(fresh)])
    expect(hits[0]?.peersSeen).toBe(14)
    expect(Date.now() - Date.parse(hits[0]!.lastAlive!)).toBeGreaterThan(HOUR)

    const month = await runCli(['--json', 'search', '--alive', '30d', 'open', 'movie'], { home })
    const m = (JSON.parse(month.stdout) as { hits: JsonHit[] }).hits.map((h) => h.infohashV1)
    expect(m.sort()).toEqual([hex(fresh), hex(stale)].sort())

    const hour = await runCli(['--json', 'search', '--alive', '1h', 'open', 'movie'], { home })
    expect((JSON.parse(hour.stdout) as { hits: JsonHit[] }).hits).toEqual([])

    // A word after a bare --alive is the query's, not a duration.
    const bare = await runCli(['--json', 'search', '--alive', 'open', 'movie'], { home })
    expect(bare.code, bare.stderr).toBe(0)
    expect((JSON.parse(bare.stdout) as { hits: JsonHit[] }).hits.map((h) => h.infohashV1)).toEqual([
      hex(fresh),
    ])

    const bad = await runCli(['search', '--alive', '2026-13-45', 'open'], { home })
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('--alive')
    const empty = await runCli(['search', '--alive', '3d'], { home })
    expect(empty.code).not.toBe(0)
    expect(empty.stderr).toContain('empty')
  })

  it('every hit carries its liveness; the table has an alive column', async () => {
    const all = await runCli(['--json', 'search', 'open', 'movie'], { home })
    const byIh = new Map((JSON.parse(all.stdout) as { hits: JsonHit[] }).hits.map((h) => [h.infohashV1, h]))
    expect(byIh.size).toBe(3)
    expect(byIh.get(hex(dead))).toMatchObject({ lastAlive: null, peersSeen: null })
    expect(byIh.get(hex(stale))?.peersSeen).toBe(3)

    const text = await runCli(['search', 'open', 'movie'], { home })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/alive/)
    expect(text.stdout).toMatch(/2h ago, 14 peers/)
    expect(text.stdout).toMatch(/20d ago, 3 peers/)
  })

  it('show prints last alive and peers, and says when never seen', async () => {
    const show = await runCli(['show', hex(fresh)], { home })
    expect(show.code, show.stderr).toBe(0)
    expect(show.stdout).toMatch(/last alive +\S+Z \(2h ago, 14 peers\)/)
    const never = await runCli(['show', hex(dead)], { home })
    expect(never.stdout).toMatch(/last alive +never seen/)
    const json = await runCli(['--json', 'show', hex(fresh)], { home })
    expect(JSON.parse(json.stdout)).toMatchObject({ peersSeen: 14 })
  })
})
