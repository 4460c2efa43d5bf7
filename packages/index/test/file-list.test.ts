import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeFileList, encodeFileList } from '../src/index.js'
import type { FileEntry } from '../src/index.js'

const enc = new TextEncoder()

describe('packed file lists', () => {
  it('round-trips small, large, non-UTF-8 and pieces-root entries', () => {
    const cases: FileEntry[][] = [
      [],
      [{ path: enc.encode('a.iso'), size: 0, piecesRoot: null }],
      [
        {
          path: new Uint8Array([0xff, 0x2f, 0xfe]),
          size: 2 ** 53 - 1,
          piecesRoot: new Uint8Array(randomBytes(32)),
        },
        { path: new Uint8Array(0), size: 1, piecesRoot: null },
      ],
      Array.from({ length: 2000 }, (_, i) => ({
        path: enc.encode(`Season 1/Show.Name.S01E${String(i).padStart(4, '0')}.1080p.WEB-DL.H264-GRP.mkv`),
        size: 1_000_000 + i * 7919,
        piecesRoot: i % 3 === 0 ? new Uint8Array(randomBytes(32)) : null,
      })),
    ]
    for (const files of cases) expect(decodeFileList(encodeFileList(files))).toEqual(files)
    // Similar paths compress: well under the raw path bytes.
    const big = cases[3]!
    const rawBytes = big.reduce((s, f) => s + f.path.length + (f.piecesRoot?.length ?? 0), 0)
    expect(encodeFileList(big).length).toBeLessThan(rawBytes / 2)
  })

  it('reports damaged blobs as INDEX_CORRUPT instead of returning garbage', () => {
    const good = encodeFileList([{ path: enc.encode('x'.repeat(200)), size: 5, piecesRoot: null }])
    const bad = [
      new Uint8Array(0),
      new Uint8Array([0x70, 1]),
      good.subarray(0, good.length - 3),
      new Uint8Array([0x10, 5, 2]),
      // Found by the fuzzer (test/fuzz): an overlong size varint, and a size past 2^53 (one file,
      // path "ab"), both decoded as if they were sizes.
      new Uint8Array([0x10, 1, 4, 0x85, 0x00, 0x61, 0x62]),
      new Uint8Array([0x10, 1, 4, ...Array(7).fill(0xff), 0x7f, 0x61, 0x62]),
    ]
    for (const b of bad)
      expect(() => decodeFileList(b)).toThrow(expect.objectContaining({ code: 'INDEX_CORRUPT' }))
  })
})
