import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  bdecode,
  bdict,
  bencode,
  bkey,
  buildTorrent,
  isDict,
  parseInfoDict,
  parseTorrentFile,
  TorrentFormatError,
  utf8,
  type BDict,
  type BuildOptions,
} from '../src/index.js'
import { content, fixtures, seedOf } from './fixture-trees.js'

const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'))
const sha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex')

function rejects(bytes: Uint8Array, pattern: RegExp): void {
  let err: unknown
  try {
    parseTorrentFile(bytes)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(TorrentFormatError)
  expect((err as TorrentFormatError).code).toBe('BAD_TORRENT')
  expect((err as Error).message).toMatch(pattern)
}

describe('parseTorrentFile', () => {
  for (const c of fixtures.cases) {
    for (const [mode, exp] of Object.entries(c.expected)) {
      it(`reads back the builder's ${c.id} ${mode} torrent`, async () => {
        const options: BuildOptions =
          mode === 'hybrid-no-tail'
            ? { version: 'hybrid', tailPadding: false }
            : { version: mode as BuildOptions['version'] }
        const source = c.single
          ? { name: c.name, data: content(seedOf(c, c.files[0]!), c.files[0]!.length) }
          : {
              name: c.name,
              files: c.files.map((f) => ({ path: f.path, data: content(seedOf(c, f), f.length) })),
            }
        const built = await buildTorrent(source, { ...options, pieceLength: c.pieceLength })
        const parsed = parseTorrentFile(built.torrent)
        expect(hex(parsed.infohashV1)).toBe(exp.infohashV1)
        expect(hex(parsed.infohashV2)).toBe(exp.infohashV2)
        expect(Buffer.from(parsed.info).equals(Buffer.from(built.info))).toBe(true)
        expect(parsed.version).toBe(options.version)
        expect(parsed.pieceLength).toBe(c.pieceLength)
        expect(parsed.private).toBe(false)
        expect(parsed.files).toEqual(built.files)
        expect(parsed.pieceLayers).toEqual(built.pieceLayers)
        expect(parsed.totalSize).toBe(built.totalSize)
      })
    }
  }

  it('keeps a non-UTF-8 v1 name and paths as raw bytes and hashes the info as found', () => {
    const badName = new Uint8Array([0x63, 0xe9, 0x6c, 0xff])
    const badPath = new Uint8Array([0x80, 0x81])
    // Hand-written, with info keys deliberately out of order: the infohash must be of these bytes.
    const files = bencode([
      bdict({ length: 3, path: [badPath] }),
      bdict({ length: 2, path: [utf8('ok.txt')] }),
    ])
    const pieces = createHash('sha1').update('abcde').digest()
    const info = Buffer.concat([
      Buffer.from('d4:name4:'),
      badName,
      Buffer.from('5:filesl'),
      Buffer.from(files).subarray(1, -1),
      Buffer.from('e12:piece lengthi16384e6:pieces20:'),
      pieces,
      Buffer.from('7:privatei1ee'),
    ])
    const torrent = Buffer.concat([Buffer.from('d8:announce3:x:y4:info'), info, Buffer.from('e')])
    const parsed = parseTorrentFile(torrent)
    expect(parsed.version).toBe('v1')
    expect(hex(parsed.infohashV1)).toBe(sha1(info))
    expect(parsed.infohashV2).toBeNull()
    expect(Buffer.from(parsed.name).equals(badName)).toBe(true)
    expect(parsed.files.map((f) => [hex(f.path[0]!), f.size])).toEqual([
      ['8081', 3],
      [Buffer.from('ok.txt').toString('hex'), 2],
    ])
    expect(parsed.private).toBe(true)
    expect(parsed.totalSize).toBe(5)
    expect(parseInfoDict(info).files).toEqual(parsed.files)
  })

  it('rejects broken and hostile torrents with TorrentFormatError', async () => {
    const built = await buildTorrent(
      { name: 'd', files: [{ path: ['big'], data: content('b', 100_000) }] },
      { pieceLength: 16384 },
    )
    const top = bdecode(built.torrent) as BDict
    const info = top.get('info') as BDict
    const withInfo = (patch: Record<string, unknown>): Uint8Array => {
      const copy: BDict = new Map(info)
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) copy.delete(k)
        else copy.set(k, v as never)
      }
      return bencode(new Map([...top, ['info', copy]]))
    }
    rejects(new Uint8Array([0x64]), /not a valid torrent/)
    rejects(Buffer.from('d4:infod4:name1:x12:piece lengthi16384eee'), /neither/)
    rejects(Buffer.concat([built.torrent, Buffer.from('x')]), /trailing/)
    rejects(withInfo({ 'meta version': 3 }), /meta version 3/)
    rejects(withInfo({ 'piece length': 20000 }), /power of two/)
    rejects(withInfo({ pieces: new Uint8Array(40) }), /count/)
    const layers = top.get('piece layers') as BDict
    const [rootKey, layer] = [...layers][0]!
    const tampered = new Uint8Array(layer as Uint8Array)
    tampered[0]! ^= 1
    rejects(bencode(new Map([...top, ['piece layers', new Map([[rootKey, tampered]])]])), /does not match/)
    rejects(bencode(new Map([...top, ['piece layers', new Map()]])), /piece layer/)
    const tree = info.get('file tree') as BDict
    rejects(withInfo({ 'file tree': new Map([['..', tree.get('big')!]]) }), /unsafe/)
    rejects(withInfo({ 'file tree': new Map([['other', tree.get('big')!]]) }), /differ/)
    const files = info.get('files') as BDict[]
    const renamed = files.map((f, i) => (i === 0 ? new Map([...f, ['path', [utf8('..')]]]) : f))
    rejects(withInfo({ files: renamed }), /unsafe/)
    expect(isDict(top) && bkey(new Uint8Array([0xff])).length).toBe(1)
  })
})
