// Quality flags on the command line: `search` marks a planted fake (a "film" whose one file is a
// program), `--clean` leaves it out, and `show` says why it is suspicious.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { openIndex, type TorrentInput } from '@bbmesh/index'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempHome } from './run-cli.js'

const { home, cleanup } = tempHome()
const NAME = 'Big.Movie.2024.1080p.BluRay.x264'
const t = (tag: string, file: string): TorrentInput => ({
  infohashV1: createHash('sha1').update(tag).digest(),
  name: NAME,
  files: [{ path: file, size: 8e9 }],
  source: 'import',
})
const genuine = t('genuine', `${NAME}.mkv`)
const fake = t('fake', `${NAME}.exe`)
const hex = (x: TorrentInput): string => Buffer.from(x.infohashV1!).toString('hex')

beforeAll(async () => {
  const index = await openIndex({ path: join(home, 'index.db') })
  await index.ingest([genuine, fake])
  await index.close()
})
afterAll(() => cleanup())

describe('quality flags in search and show', () => {
  it('search flags the fake, --clean hides it, show explains', async () => {
    const all = await runCli(['--json', 'search', 'big', 'movie'], { home })
    expect(all.code, all.stderr).toBe(0)
    const page = JSON.parse(all.stdout) as { hits: { infohashV1: string; quality: string[] }[] }
    const q = new Map(page.hits.map((h) => [h.infohashV1, h.quality]))
    expect(q.get(hex(fake))).toEqual(['executable'])
    expect(q.get(hex(genuine))).toEqual([])

    const clean = await runCli(['--json', 'search', '--clean', 'big', 'movie'], { home })
    const c = JSON.parse(clean.stdout) as { hits: { infohashV1: string }[]; hiddenAsSuspicious: number }
    expect(c.hits.map((h) => h.infohashV1)).toEqual([hex(genuine)])
    expect(c.hiddenAsSuspicious).toBe(1)

    const text = await runCli(['search', 'big', 'movie'], { home })
    expect(text.stdout).toMatch(/flags/)
    expect(text.stdout).toContain('executable')

    const show = await runCli(['show', hex(fake)], { home })
    expect(show.code, show.stderr).toBe(0)
    expect(show.stdout).toContain('suspicious: executable')
    const showGenuine = await runCli(['--json', 'show', hex(genuine)], { home })
    expect((JSON.parse(showGenuine.stdout) as { quality: string[] }).quality).toEqual([])
  })
})
