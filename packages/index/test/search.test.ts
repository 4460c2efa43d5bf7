import { afterAll, beforeAll, expect, it } from 'vitest'
import { openIndex } from '../src/index.js'
import type { PooledIndex, TorrentInput } from '../src/index.js'
import { describeEngines } from './backends.js'
import { ih1 } from './helpers.js'

const GB = 1024 ** 3
const MB = 1024 ** 2

function t(n: number, name: string, files: [string, number][], seen = '2026-01-01T00:00:00Z'): TorrentInput {
  return {
    infohashV1: ih1(n),
    name,
    files: files.map(([path, size]) => ({ path, size })),
    source: 'test',
    seenAt: new Date(seen),
  }
}

const corpus: TorrentInput[] = [
  t(1, 'ubuntu-24.04.1-desktop-amd64.iso', [['ubuntu-24.04.1-desktop-amd64.iso', 6 * GB]]),
  t(2, 'ubuntu-22.04.4-live-server-amd64.iso', [['ubuntu-22.04.4-live-server-amd64.iso', 2 * GB]]),
  t(3, 'Linux.ISO.Collection.2024', [
    ['debian-12.5.0-amd64-netinst.iso', 600 * MB],
    ['ubuntu-24.04-desktop-amd64.iso', 5 * GB],
    ['README.txt', 1000],
  ]),
  t(4, 'The.Expanse.S03E05.1080p.WEB-DL.DD5.1.H264-GRP', [
    ['The.Expanse.S03E05.1080p.WEB-DL.DD5.1.H264-GRP.mkv', 3 * GB],
    ['The.Expanse.S03E05.1080p.WEB-DL.DD5.1.H264-GRP.nfo', 2000],
  ]),
  t(5, '[SubGroup] Some_Anime_Title - 07 [1080p][ABCD1234]', [
    ['[SubGroup] Some_Anime_Title - 07 [1080p][ABCD1234].mkv', 1 * GB],
  ]),
  t(
    6,
    'Pink Floyd - The Dark Side of the Moon (1973) [FLAC]',
    [
      ['01 - Speak to Me.flac', 30 * MB],
      ['02 - Breathe (In the Air).flac', 40 * MB],
      ['cover.jpg', 1 * MB],
    ],
    '2026-06-01T00:00:00Z',
  ),
  t(7, 'Crème Brûlée Recipes', [['crème-brûlée.pdf', 5 * MB]]),
  t(8, 'Misc Backup', [['notes/expanse-s03-thoughts.txt', 100]]),
]

describeEngines('search', (engine) => {
  let ix: PooledIndex
  beforeAll(async () => {
    ix = await openIndex({ path: await engine.fresh() })
    await ix.ingest(corpus)
  })
  afterAll(async () => {
    await ix.close()
  })

  const names = async (text: string, extra = {}) =>
    (await ix.search({ text, ...extra })).hits.map((h) => h.name)

  it('splits on dots, dashes, underscores and brackets the way people type', async () => {
    expect(await names('ubuntu 24.04')).toEqual([
      'ubuntu-24.04.1-desktop-amd64.iso',
      'Linux.ISO.Collection.2024',
    ])
    expect(await names('expanse s03e05')).toContain('The.Expanse.S03E05.1080p.WEB-DL.DD5.1.H264-GRP')
    expect(await names('some anime title 07')).toEqual(['[SubGroup] Some_Anime_Title - 07 [1080p][ABCD1234]'])
    expect(await names('subgroup')).toHaveLength(1)
    expect(await names('h264-grp')).toHaveLength(1)
    expect(await names('dark side moon flac')).toEqual([
      'Pink Floyd - The Dark Side of the Moon (1973) [FLAC]',
    ])
  })

  it('matches "24.04" as the token sequence 24 04, not as 24 anywhere and 04 anywhere', async () => {
    expect(await names('24.04')).toEqual(['ubuntu-24.04.1-desktop-amd64.iso', 'Linux.ISO.Collection.2024'])
    expect(await names('04.24')).toEqual([])
    expect(await names('22.04.4')).toEqual(['ubuntu-22.04.4-live-server-amd64.iso'])
  })

  it('treats words as prefixes and ignores case and diacritics', async () => {
    expect(await names('UBUNT')).toHaveLength(3)
    expect(await names('creme brulee')).toEqual(['Crème Brûlée Recipes'])
    expect(await names('crème')).toEqual(['Crème Brûlée Recipes'])
  })

  it('ranks name hits above file-path-only hits', async () => {
    const hits = await names('ubuntu')
    expect(hits.slice(0, 2).sort()).toEqual([
      'ubuntu-22.04.4-live-server-amd64.iso',
      'ubuntu-24.04.1-desktop-amd64.iso',
    ])
    expect(hits[2]).toBe('Linux.ISO.Collection.2024')
    const expanse = await names('expanse')
    expect(expanse).toEqual(['The.Expanse.S03E05.1080p.WEB-DL.DD5.1.H264-GRP', 'Misc Backup'])
    const page = await ix.search({ text: 'expanse' })
    expect(page.hits[0]!.score).toBeGreaterThan(page.hits[1]!.score)
  })

  it('returns the matched file names with each hit', async () => {
    const [hit] = (await ix.search({ text: 'debian netinst' })).hits
    expect(hit?.name).toBe('Linux.ISO.Collection.2024')
    expect(hit?.matchedFiles).toEqual([{ path: 'debian-12.5.0-amd64-netinst.iso', size: 600 * MB }])
    const col = (await ix.search({ text: 'ubuntu 24.04' })).hits.find((h) => h.name.startsWith('Linux'))
    expect(col?.matchedFiles.map((f) => f.path)).toEqual(['ubuntu-24.04-desktop-amd64.iso'])
    const flac = (await ix.search({ text: 'breathe' })).hits[0]
    expect(flac?.matchedFiles.map((f) => f.path)).toEqual(['02 - Breathe (In the Air).flac'])
  })

  it('filters by size range, extension and seen-since', async () => {
    expect(await names('ubuntu', { minSize: 3 * GB })).toEqual([
      'ubuntu-24.04.1-desktop-amd64.iso',
      'Linux.ISO.Collection.2024',
    ])
    expect(await names('ubuntu', { maxSize: 3 * GB })).toEqual(['ubuntu-22.04.4-live-server-amd64.iso'])
    expect(await names('', { extension: '.FLAC' })).toEqual([
      'Pink Floyd - The Dark Side of the Moon (1973) [FLAC]',
    ])
    expect(await names('ubuntu', { extension: 'txt' })).toEqual(['Linux.ISO.Collection.2024'])
    expect(await names('expanse', { extension: 'nfo' })).toEqual([
      'The.Expanse.S03E05.1080p.WEB-DL.DD5.1.H264-GRP',
    ])
    expect(await names('', { seenSince: new Date('2026-03-01T00:00:00Z') })).toEqual([
      'Pink Floyd - The Dark Side of the Moon (1973) [FLAC]',
    ])
    const p = await ix.search({ text: 'flac', seenSince: new Date('2027-01-01T00:00:00Z') })
    expect(p).toEqual({ total: 0, totalExact: true, hits: [] })
  })

  it('paginates with a stable order and an exact total', async () => {
    const all = await ix.search({ text: 'iso', limit: 500 })
    expect(all.total).toBe(3)
    const pages = [0, 1, 2].map((offset) => ix.search({ text: 'iso', limit: 1, offset }))
    const got = await Promise.all(pages)
    expect(got.map((p) => p.total)).toEqual([3, 3, 3])
    expect(got.map((p) => p.hits[0]?.name)).toEqual(all.hits.map((h) => h.name))
    expect(await ix.search({ text: 'iso', limit: 2, offset: 10 })).toEqual({
      total: 3,
      totalExact: true,
      hits: [],
    })
    const newest = await ix.search({ text: '', limit: 2 })
    expect(newest.total).toBe(corpus.length)
    expect(newest.hits).toHaveLength(2)
  })

  it('never lets FTS syntax in user text cause an error', async () => {
    const nasty = [
      '"',
      '""',
      'AND',
      'OR NOT',
      '(',
      ')',
      '*',
      'name:ubuntu',
      '{name}',
      'NEAR(a b)',
      '^x',
      "'; drop table torrents; --",
      '-',
      '\u0000',
      '💿',
    ]
    // Syntax is only punctuation between words: input with no word in it is the empty query (every
    // torrent), and the rest name words no torrent here has, so each must give exactly that.
    const noWords = new Set(['"', '""', '(', ')', '*', '-', '\u0000', '💿'])
    for (const text of nasty) {
      const page = await ix.search({ text })
      expect(page.total, JSON.stringify(text)).toBe(noWords.has(text) ? corpus.length : 0)
      expect(page.totalExact).toBe(true)
    }
    // FTS operators around real words are plain words too: NOT, - and * do not exclude or widen.
    expect(await names('"ubuntu"')).toHaveLength(3)
    expect(await names('ubuntu*')).toHaveLength(3)
    expect((await names('expanse -s03')).sort()).toEqual([
      'Misc Backup',
      'The.Expanse.S03E05.1080p.WEB-DL.DD5.1.H264-GRP',
    ])
    expect(await names('expanse NOT')).toEqual(['Misc Backup']) // "not" is the prefix of notes/
    expect(await names('name:ubuntu')).toHaveLength(0)
    expect(await names('(ubuntu)')).toHaveLength(3)
    await expect(ix.search({ text: 'x', extension: '...' })).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })

  it('bounds the total of a huge result set, says it is a lower bound, and still pages through it all', async () => {
    const big = await openIndex({ path: await engine.fresh() })
    try {
      const many = Array.from({ length: 1050 }, (_, i) =>
        t(100_000 + i, `Common.Word.Release.${i}`, [[`common-${i}.bin`, i]]),
      )
      await big.ingest(many)
      // Newest of all: a path-only match, and a longer word sharing the common word's prefix.
      await big.ingest([
        t(200_001, 'Commonwealth Games 2022', [['highlights.mkv', 5]]),
        t(200_002, 'Misc Stuff', [['notes/common word list.txt', 5]]),
      ])
      const page = await big.search({ text: 'common word', limit: 5 })
      expect(page).toMatchObject({ total: 500, totalExact: false })
      expect(page.hits).toHaveLength(5)
      // Paging past the ranking window continues newest first: every torrent comes back exactly once.
      const seen = new Set<string>()
      for (let offset = 0; offset < 1100; offset += 150) {
        for (const h of (await big.search({ text: 'common word', limit: 150, offset })).hits)
          seen.add(h.infohashV1!)
      }
      expect(seen.size).toBe(1051)
      // Only common words: no bm25 (its IDF pass would read every match), but name hits still come
      // before the newer path-only hit.
      const common = await big.search({ text: 'common word', limit: 200, offset: 400 })
      // The window is the 500 newest matches: its 499 name hits, then the path-only one, then older.
      const at = common.hits.findIndex((h) => h.name === 'Misc Stuff')
      expect(at).toBe(99)
      expect(common.hits.slice(0, at).every((h) => h.name.startsWith('Common.Word'))).toBe(true)
      // A rare word gets real bm25 ranking alongside common ones.
      const rare = await big.search({ text: 'common release 1049' })
      expect(rare.hits[0]?.name).toBe('Common.Word.Release.1049')
      expect(rare.hits[0]?.score).toBeGreaterThan(0)
      // A finished common word is not a prefix; an unfinished one is.
      expect((await big.search({ text: 'common', limit: 500 })).hits.map((h) => h.name)).not.toContain(
        'Commonwealth Games 2022',
      )
      expect((await big.search({ text: 'commonw' })).hits.map((h) => h.name)).toEqual([
        'Commonwealth Games 2022',
      ])
      const narrow = await big.search({ text: 'common', maxSize: 99, limit: 500 })
      expect(narrow).toMatchObject({ total: 101, totalExact: true })
      expect(narrow.hits).toHaveLength(101)
      const all = await big.search({ text: '', limit: 1 })
      expect(all).toMatchObject({ total: 1000, totalExact: false })
    } finally {
      await big.close()
    }
  })
})
