import { afterEach, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { openIndex, parseNdjsonLine, toNdjsonLine, toNdjsonLineWithInfo } from '../src/index.js'
import type { PooledIndex, TorrentDetail } from '../src/index.js'
import { describeEngines } from './backends.js'
import { ih1, ih2, torrent } from './helpers.js'

async function dump(ix: PooledIndex, batchSize?: number): Promise<TorrentDetail[]> {
  const out: TorrentDetail[] = []
  for await (const d of ix.exportAll({ batchSize })) out.push(d)
  return out
}

describeEngines('NDJSON export -> import', (engine) => {
  const open: PooledIndex[] = []
  afterEach(async () => {
    for (const ix of open.splice(0)) await ix.close()
  })

  it('round-trips losslessly, including names and paths that are not UTF-8', async () => {
    const a = await openIndex({ path: await engine.fresh() })
    open.push(a)
    const badName = new Uint8Array([0x80, 0x41, 0xc0, 0xaf, 0x2e, 0x6d, 0x6b, 0x76])
    const badPath = new Uint8Array([0x64, 0x2f, 0xed, 0xa0, 0x80, 0x2e, 0x6d, 0x6b, 0x76])
    await a.ingest([
      torrent(1),
      torrent(2, {
        name: badName,
        files: [
          { path: badPath, size: 5 },
          { path: 'ok/file.txt', size: 6, piecesRoot: ih2('root') },
        ],
        infohashV2: ih2(2),
        pieceLength: 16384,
        private: true,
        metadataFetchedAt: new Date('2026-01-02T03:04:05Z'),
        firstSeenAt: new Date('2025-01-01T00:00:00Z'),
      }),
      torrent(3, {
        infohashV1: undefined,
        infohashV2: ih2(3),
        name: 'v2 only — ünïcødé ✓',
        files: [],
        totalSize: 42,
      }),
    ])
    await a.ingest([torrent(1, { seenAt: new Date('2026-05-05T00:00:00Z') })])
    const before = await dump(a, 2)
    expect(before).toHaveLength(3)
    const lines = before.map(toNdjsonLine)
    expect(lines[1]).toContain('"nameHex":"8041c0af2e6d6b76"')
    expect(lines[1]).toContain('"pathHex"')
    for (const l of lines) expect(l).not.toContain('\n')

    const b = await openIndex({ path: await engine.fresh() })
    open.push(b)
    await b.ingest(lines.map(parseNdjsonLine))
    const after = await dump(b)
    expect(after).toEqual(before)
    expect(after.map(toNdjsonLine)).toEqual(lines)
    // Importing the same export again changes nothing.
    await b.ingest(lines.map(parseNdjsonLine))
    expect((await dump(b)).map(toNdjsonLine)).toEqual(lines)
    expect(after[1]?.nameRaw).toEqual(badName)
    expect(after[1]?.files[0]?.pathRaw).toEqual(badPath)
    expect(await b.has(ih1(1))).toBe(true)
  })

  it('rejects corrupt lines with BAD_NDJSON and a reason', () => {
    const good = JSON.parse(
      toNdjsonLine({
        infohashV1: Buffer.from(ih1(1)).toString('hex'),
        infohashV2: null,
        name: 'n',
        nameRaw: new Uint8Array([0x6e]),
        totalSize: 1,
        pieceLength: null,
        fileCount: 1,
        private: false,
        firstSeen: new Date(0),
        lastSeen: new Date(0),
        seenCount: 1,
        metadataFetchedAt: null,
        source: 's',
        files: [{ path: 'n', pathRaw: new Uint8Array([0x6e]), size: 1, piecesRoot: null }],
      }),
    ) as Record<string, unknown>
    expect(parseNdjsonLine(JSON.stringify(good)).name).toBe('n')
    const cases: [string, RegExp][] = [
      ['{"infohashV1": "ab"', /not JSON/],
      ['[1,2]', /not a JSON object/],
      ['null', /not a JSON object/],
      [JSON.stringify({ ...good, infohashV1: 'zz'.repeat(20) }), /infohashV1/],
      [JSON.stringify({ ...good, infohashV1: null }), /needs infohashV1 or infohashV2/],
      [JSON.stringify({ ...good, files: 'x' }), /files must be an array/],
      [JSON.stringify({ ...good, files: [{ path: 'a', size: -1 }] }), /files\[0\]\.size/],
      [JSON.stringify({ ...good, files: [{ path: 'a', size: 1, piecesRoot: '00' }] }), /piecesRoot/],
      [JSON.stringify({ ...good, nameHex: 'xyz' }), /nameHex/],
      [JSON.stringify({ ...good, name: 5 }), /name must be a string/],
      [JSON.stringify({ ...good, lastSeen: 'yesterday' }), /lastSeen/],
      [JSON.stringify({ ...good, source: undefined }), /source/],
      [JSON.stringify({ ...good, seenCount: 0 }), /seenCount/],
      [JSON.stringify({ ...good, info: 'not base64!' }), /info must be base64/],
      [JSON.stringify({ ...good, info: '' }), /info must be base64/],
      [JSON.stringify({ ...good, info: 7 }), /info must be base64/],
    ]
    for (const [line, why] of cases) {
      let caught: unknown
      try {
        parseNdjsonLine(line)
      } catch (err) {
        caught = err
      }
      expect(caught, line).toMatchObject({ code: 'BAD_NDJSON', message: expect.stringMatching(why) })
    }
  })

  it('carries the cached info dict as base64 "info", and an import caches it', async () => {
    const info = new TextEncoder().encode('d4:name4:test12:piece lengthi16384e6:pieces0:e')
    const a = await openIndex({ path: await engine.fresh() })
    open.push(a)
    const ih = new Uint8Array(createHash('sha1').update(info).digest())
    await a.ingest([torrent(1, { infohashV1: ih, rawInfo: info })])
    const [detail] = await dump(a)
    const line = toNdjsonLineWithInfo(detail!, await a.metadataCache.get(ih, { touch: false }))
    expect(JSON.parse(line)).toMatchObject({ info: Buffer.from(info).toString('base64') })
    expect(toNdjsonLine(detail!)).not.toContain('"info"')

    const b = await openIndex({ path: await engine.fresh() })
    open.push(b)
    expect(await b.ingest([parseNdjsonLine(line)])).toMatchObject({ inserted: 1, rawInfoRejected: 0 })
    expect(await b.metadataCache.get(ih)).toEqual(info)
  })
})
