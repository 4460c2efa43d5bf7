import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { migrateTo, openIndex } from '../src/index.js'
import type { PooledIndex, TorrentInput } from '../src/index.js'
import { describeEngines } from './backends.js'
import { hex, ih1, ih2 } from './helpers.js'

// The v2 file index (file_roots): one file, named by its BEP 52 pieces root, held by many torrents.

const root = (s: string) => new Uint8Array(createHash('sha256').update(s).digest())
const SHARED = root('the shared file')
const OWN = root('only in the v2 torrent')
const PAD = root('a padding file that should never be indexed')

const at = new Date('2026-01-01T00:00:00Z')
/** A v2-only torrent and two hybrids holding the same 5,000-byte file under different paths. */
const v2: TorrentInput = {
  infohashV2: ih2(1),
  name: 'Alpha',
  files: [
    { path: 'Alpha/shared.file.mkv', size: 5000, piecesRoot: SHARED },
    { path: 'Alpha/own.notes.txt', size: 100, piecesRoot: OWN },
  ],
  source: 'test',
  seenAt: at,
}
const hybridB: TorrentInput = {
  infohashV1: ih1(2),
  infohashV2: ih2(2),
  name: 'Bravo',
  files: [
    { path: 'Bravo/sub/shared.file.copy.mkv', size: 5000, piecesRoot: SHARED },
    // BEP 47 padding: never a file row, even if a client gave it a root.
    { path: '.pad/4096', size: 4096, piecesRoot: PAD },
  ],
  source: 'test',
  seenAt: at,
}
const hybridC: TorrentInput = {
  infohashV1: ih1(3),
  infohashV2: ih2(3),
  name: 'Charlie',
  files: [
    { path: '.pad/4096', size: 4096, piecesRoot: PAD },
    { path: 'Charlie/shared.file.mkv', size: 5000, piecesRoot: SHARED },
  ],
  source: 'test',
  seenAt: at,
}
const v1only: TorrentInput = {
  infohashV1: ih1(4),
  name: 'Delta',
  files: [{ path: 'Delta/shared.file.mkv', size: 5000 }],
  source: 'test',
  seenAt: at,
}

const names = (f: { torrents: { name: string }[] } | undefined) => f?.torrents.map((t) => t.name)

describeEngines('v2 file index', (engine) => {
  let ix: PooledIndex
  beforeEach(async () => {
    ix = await openIndex({ path: await engine.fresh() })
    await ix.ingest([v2, hybridB, hybridC, v1only])
  })
  afterEach(async () => {
    await ix.close()
  })

  it('the same file in three torrents (v2 and hybrid) is one file with three torrents', async () => {
    const f = await ix.torrentsWithFile(SHARED)
    expect(f).toMatchObject({ piecesRoot: hex(SHARED), size: 5000, torrentCount: 3 })
    expect(f?.torrents).toEqual([
      {
        infohashV1: null,
        infohashV2: hex(ih2(1)),
        name: 'Alpha',
        fileIndex: 0,
        path: 'Alpha/shared.file.mkv',
      },
      {
        infohashV1: hex(ih1(2)),
        infohashV2: hex(ih2(2)),
        name: 'Bravo',
        fileIndex: 0,
        path: 'Bravo/sub/shared.file.copy.mkv',
      },
      {
        infohashV1: hex(ih1(3)),
        infohashV2: hex(ih2(3)),
        name: 'Charlie',
        fileIndex: 1,
        path: 'Charlie/shared.file.mkv',
      },
    ])
    expect(await ix.torrentsWithFile(PAD)).toBeUndefined()
    expect(names(await ix.torrentsWithFile(hex(OWN)))).toEqual(['Alpha'])
    expect(names(await ix.torrentsWithFile(SHARED, { maxTorrents: 1 }))).toEqual(['Alpha'])
    expect(await ix.stats()).toMatchObject({
      filesWithRoot: 4,
      distinctRoots: 2,
      sharedRoots: 1,
      dedupBytes: 10_000,
    })
  })

  it('re-ingest does not duplicate rows', async () => {
    await ix.ingest([v2, hybridB, hybridC, v1only])
    await ix.ingest([{ ...hybridB, seenAt: new Date() }])
    expect((await ix.torrentsWithFile(SHARED))?.torrentCount).toBe(3)
    expect((await ix.stats()).filesWithRoot).toBe(4)
  })

  it('dupes: per rooted file, the other torrents holding it', async () => {
    const d = await ix.dupes(ih1(2))
    expect(d).toMatchObject({ name: 'Bravo', infohashV2: hex(ih2(2)) })
    expect(d?.files).toHaveLength(1)
    expect(d?.files[0]).toMatchObject({ fileIndex: 0, path: 'Bravo/sub/shared.file.copy.mkv', otherCount: 2 })
    expect(names(d?.files[0] && { torrents: d.files[0].others })).toEqual(['Alpha', 'Charlie'])
    const a = await ix.dupes(hex(ih2(1)))
    expect(a?.files.map((f) => [f.path, f.otherCount])).toEqual([
      ['Alpha/shared.file.mkv', 2],
      ['Alpha/own.notes.txt', 0],
    ])
    expect((await ix.dupes(ih1(4)))?.files).toEqual([])
    expect(await ix.dupes(ih1(99))).toBeUndefined()
  })

  it('searchFiles: files whose path matches, each with every torrent holding it', async () => {
    const page = await ix.searchFiles({ text: 'shared file' })
    expect(page.files).toHaveLength(1)
    expect(page.files[0]).toMatchObject({ piecesRoot: hex(SHARED), size: 5000, torrentCount: 3 })
    expect(names(page.files[0])?.sort()).toEqual(['Alpha', 'Bravo', 'Charlie'])
    expect(page.files[0]?.path).toMatch(/shared\.file/)
    // The v1-only copy matched too, but it has no root: it is not a file of the v2 index.
    expect(page.torrentsScanned).toBe(4)
    expect((await ix.searchFiles({ text: 'notes' })).files.map((f) => f.path)).toEqual([
      'Alpha/own.notes.txt',
    ])
    expect((await ix.searchFiles({ text: 'nothing matches this' })).files).toEqual([])
  })

  it("removal deletes the torrent's rows", async () => {
    await ix.removeTorrents([ih2(1)])
    expect(names(await ix.torrentsWithFile(SHARED))).toEqual(['Bravo', 'Charlie'])
    expect(await ix.torrentsWithFile(OWN)).toBeUndefined()
    expect(await ix.stats()).toMatchObject({ filesWithRoot: 2, distinctRoots: 1, dedupBytes: 5000 })
  })

  it('a hybrid first stored as two rows keeps one set of rows once merged; a late file list adds them', async () => {
    const files = [{ path: 'Echo/shared.file.mkv', size: 5000, piecesRoot: SHARED }]
    await ix.ingest([
      { infohashV1: ih1(5), name: 'Echo', files, source: 'test', seenAt: at },
      { infohashV2: ih2(5), name: 'Echo', files, source: 'test', seenAt: at },
    ])
    expect((await ix.torrentsWithFile(SHARED))?.torrentCount).toBe(5)
    await ix.ingest([
      { infohashV1: ih1(5), infohashV2: ih2(5), name: 'Echo', files, source: 'test', seenAt: at },
    ])
    const f = await ix.torrentsWithFile(SHARED)
    expect(f?.torrentCount).toBe(4)
    expect(f?.torrents.at(-1)).toMatchObject({ infohashV1: hex(ih1(5)), infohashV2: hex(ih2(5)) })

    // The older half stored without files, the newer with them: the merge moves the rows across.
    await ix.ingest([{ infohashV1: ih1(7), name: 'Golf', files: [], source: 'test', seenAt: at }])
    await ix.ingest([{ infohashV2: ih2(7), name: 'Golf', files, source: 'test', seenAt: at }])
    await ix.ingest([
      { infohashV1: ih1(7), infohashV2: ih2(7), name: 'Golf', files, source: 'test', seenAt: at },
    ])
    const g = await ix.torrentsWithFile(SHARED)
    expect(g?.torrentCount).toBe(5)
    expect(g?.torrents.filter((t) => t.name === 'Golf')).toEqual([
      {
        infohashV1: hex(ih1(7)),
        infohashV2: hex(ih2(7)),
        name: 'Golf',
        fileIndex: 0,
        path: 'Echo/shared.file.mkv',
      },
    ])
    await ix.removeTorrents([ih1(7)])

    // Stored from a name-only sighting first, then the full metadata arrives.
    await ix.ingest([{ infohashV2: ih2(6), name: 'Foxtrot', files: [], source: 'test', seenAt: at }])
    await ix.ingest([{ infohashV2: ih2(6), name: 'Foxtrot', files, source: 'test', seenAt: at }])
    expect((await ix.torrentsWithFile(SHARED))?.torrentCount).toBe(5)
  })

  it('migration 003 backfills the rows from the stored file lists', async () => {
    const db = ix.db as unknown as Kysely<unknown>
    await migrateTo(db, '002-torrent-fts')
    await migrateTo(db, 'latest')
    expect((await ix.torrentsWithFile(SHARED))?.torrentCount).toBe(3)
    expect(await ix.torrentsWithFile(PAD)).toBeUndefined()
    expect((await ix.stats()).filesWithRoot).toBe(4)
  })

  it('refuses bad input with BAD_INPUT', async () => {
    await expect(ix.torrentsWithFile('abc')).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(ix.torrentsWithFile(new Uint8Array(20))).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(ix.torrentsWithFile(SHARED, { maxTorrents: 0 })).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(ix.searchFiles({ text: '  ' })).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(ix.searchFiles({ text: 'x', limit: 1000 })).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(ix.dupes('nothex')).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })
})
