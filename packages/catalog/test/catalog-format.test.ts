import { describe, expect, it } from 'vitest'
import { openIndex } from '@bbmesh/index'
import {
  buildCatalog,
  buildTorrent,
  encodeEntryLine,
  entryToTorrentInput,
  libraryFromIndex,
  readCatalog,
  shardOf,
  type CatalogEntry,
} from '../src/index.js'
import { library, shuffled, syntheticEntry } from './catalog-entries.js'

const hex = (b: Uint8Array | null): string => (b ? Buffer.from(b).toString('hex') : '')
const sortKey = (e: CatalogEntry): string => e.infohashV1 ?? e.infohashV2 ?? ''
const sorted = (xs: CatalogEntry[]): CatalogEntry[] =>
  [...xs].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))

/** Rebuilds a catalog torrent from (possibly tampered) payload files, as a dishonest publisher could. */
async function rebuiltWith(files: Map<string, Uint8Array>) {
  const mem = [...files].map(([p, data]) => ({ path: p.split('/'), data }))
  return buildTorrent({ name: 'bbmesh-catalog', files: mem }, { version: 'hybrid', pieceLength: 16384 })
}

describe('catalog format', () => {
  for (const sharded of [false, true]) {
    const kind = sharded ? 'sharded' : 'whole'
    it(`${kind}: the same library in any order gives the same infohashes, and reads back exactly`, async () => {
      const lib = library(300)
      const a = await buildCatalog(lib, { sharded })
      const b = await buildCatalog(shuffled(lib, 7), { sharded })
      expect(hex(a.torrent.infohashV1)).toHaveLength(40)
      expect(hex(b.torrent.infohashV1)).toBe(hex(a.torrent.infohashV1))
      expect(hex(b.torrent.infohashV2)).toBe(hex(a.torrent.infohashV2))
      expect(Buffer.from(b.torrent.torrent).equals(Buffer.from(a.torrent.torrent))).toBe(true)
      const read = readCatalog(a.torrent.info, a.files)
      expect(read.entries).toEqual(sorted(lib))
      expect(read.header.entries).toBe(300)
      // Validation alone (what a resolver runs before ingesting line by line): same count, no objects.
      expect(readCatalog(a.torrent.info, a.files, { collect: false })).toMatchObject({
        entries: [],
        entryCount: 300,
      })
      if (sharded) {
        expect(read.header.layout).toBe('sharded')
        expect(a.files.size).toBe(1 + (read.header.layout === 'sharded' ? read.header.shards.length : 0))
      } else expect([...a.files.keys()].sort()).toEqual(['catalog.json', 'library.ndjson'])
    })
  }

  it('sharded: changing 1% of the torrents changes only the roots of their shards (and catalog.json)', async () => {
    const lib = library(2000)
    const before = await buildCatalog(lib, { sharded: true })
    const changed = new Set([
      3, 250, 700, 1111, 1500, 1999, 42, 77, 901, 1234, 1700, 1800, 5, 6, 7, 8, 9, 10, 11, 12,
    ])
    const after = await buildCatalog(
      lib.map((e, i) => (changed.has(i) ? syntheticEntry(i, 1) : e)),
      { sharded: true },
    )
    expect(hex(after.torrent.infohashV1)).not.toBe(hex(before.torrent.infohashV1))
    const named = (c: typeof before) =>
      c.torrent.files.map(
        (f) => [f.path.map((p) => Buffer.from(p).toString()).join('/'), hex(f.piecesRoot)] as const,
      )
    const rootsBefore = new Map(named(before))
    const diff = named(after)
      .filter(([p, r]) => rootsBefore.get(p) !== r)
      .map(([p]) => p)
    const bits = after.header.layout === 'sharded' ? after.header.prefixBits : 0
    const expected = new Set(
      [...changed].map(
        (i) => `shards/${shardOf(lib[i]?.infohashV1 ?? lib[i]?.infohashV2 ?? '', bits)}.ndjson`,
      ),
    )
    expect(new Set(diff.filter((p) => p !== 'catalog.json'))).toEqual(expected)
    expect(expected.size).toBeLessThan(after.header.layout === 'sharded' ? after.header.shards.length / 4 : 0)
  })

  it('shards by the first prefixBits bits of the key', async () => {
    expect(shardOf('a3f9' + '0'.repeat(36), 14)).toBe('a3f8')
    expect(shardOf('a3f9' + '0'.repeat(36), 16)).toBe('a3f9')
    expect(shardOf('f' + '0'.repeat(39), 1)).toBe('8')
    expect(shardOf('7' + '0'.repeat(39), 1)).toBe('0')
    const built = await buildCatalog(library(200), { sharded: true, prefixBits: 5 })
    expect(built.header).toMatchObject({ layout: 'sharded', prefixBits: 5 })
    const shards = built.header.layout === 'sharded' ? built.header.shards : []
    expect(shards.length).toBeLessThanOrEqual(32)
    expect(shards.every((x) => /^[0-9a-f]{2}$/.test(x.prefix) && parseInt(x.prefix, 16) % 8 === 0)).toBe(true)
    // A header naming a prefix with bits past prefixBits set is refused.
    const files = new Map(built.files)
    const header = Buffer.from(files.get('catalog.json') as Uint8Array).toString()
    const first = shards[0]?.prefix as string
    const bent = (parseInt(first, 16) + 1).toString(16).padStart(2, '0')
    files.set(
      'catalog.json',
      new Uint8Array(Buffer.from(header.replace(`"prefix":"${first}"`, `"prefix":"${bent}"`))),
    )
    files.set(`shards/${bent}.ndjson`, files.get(`shards/${first}.ndjson`) as Uint8Array)
    files.delete(`shards/${first}.ndjson`)
    const t = await rebuiltWith(files)
    expect(() => readCatalog(t.info, files)).toThrow(/bad prefix/)
  })

  it('rejects a file that does not match the infohash, and non-canonical or misplaced content', async () => {
    const built = await buildCatalog(library(100), { sharded: true })
    const shard = [...built.files.keys()].find((p) => p.startsWith('shards/')) as string
    const data = built.files.get(shard) as Uint8Array
    // A flipped byte: the torrent (infohash) no longer matches.
    const flipped = new Map(built.files)
    const t = new Uint8Array(data)
    t[10] = (t[10] ?? 0) ^ 1
    flipped.set(shard, t)
    expect(() => readCatalog(built.torrent.info, flipped)).toThrow(/does not match its pieces root/)
    try {
      readCatalog(built.torrent.info, flipped)
    } catch (err) {
      expect((err as { code?: string }).code).toBe('BAD_CATALOG')
      expect((err as Error).name).toBe('CatalogFormatError')
    }
    // Content matching its own torrent but not the format: each must fail validation.
    const text = Buffer.from(data).toString('utf8')
    const lines = text.split('\n').filter(Boolean)
    const cases: [string, string, RegExp][] = [
      ['reordered', [...lines].reverse().join('\n') + '\n', /out of order|entry count/],
      ['extra spaces', text.replace('{"v1"', '{ "v1"'), /canonical/],
      ['wrong magnet', text.replace('magnet:?xt=urn:btih:', 'magnet:?xt=urn:btih:0'), /canonical/],
      ['not JSON', text.replace('{', '['), /not JSON|not an object/],
      [
        'moved entry',
        text + encodeEntryLine({ ...syntheticEntry(5000), infohashV1: 'f'.repeat(40) }),
        /wrong shard|entry count|out of order/,
      ],
    ]
    for (const [what, body, re] of cases) {
      const files = new Map(built.files)
      files.set(shard, new Uint8Array(Buffer.from(body)))
      const t2 = await rebuiltWith(files)
      expect(() => readCatalog(t2.info, files), what).toThrow(re)
      expect(() => readCatalog(t2.info, files, { collect: false }), what).toThrow(re)
    }
    // Header claims a shard that the torrent lacks.
    const files = new Map(built.files)
    files.delete(shard)
    const t3 = await rebuiltWith(files)
    expect(() => readCatalog(t3.info, files)).toThrow(/do not match catalog.json|add up/)
    // Some other torrent is not a catalog.
    const other = await buildTorrent({ name: 'x', data: new Uint8Array(10) }, { version: 'hybrid' })
    expect(() => readCatalog(other.info, built.files)).toThrow(/not a catalog torrent/)
  })

  it('maps an index to a catalog and back: the resolver’s index holds the same library', async () => {
    const a = await openIndex({ path: ':memory:' })
    const b = await openIndex({ path: ':memory:' })
    try {
      const lib = library(50)
      await a.ingest(lib.map((e) => entryToTorrentInput(e, e.source, new Date(Date.UTC(2026, 5, 1)))))
      const fromA = await libraryFromIndex(a)
      expect(sorted(fromA)).toEqual(sorted(lib))
      const built = await buildCatalog(fromA)
      const read = readCatalog(built.torrent.info, built.files)
      await b.ingest(read.entries.map((e) => entryToTorrentInput(e, 'catalog:test:1')))
      const fromB = await libraryFromIndex(b)
      const strip = (xs: CatalogEntry[]) => xs.map(({ source: _s, ...rest }) => rest)
      expect(strip(sorted(fromB))).toEqual(strip(sorted(fromA)))
      expect(fromB.every((e) => e.source === 'catalog:test:1')).toBe(true)
    } finally {
      await a.close()
      await b.close()
    }
  })
})
