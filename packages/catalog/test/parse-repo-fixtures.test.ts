import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseTorrentFile, TorrentFormatError } from '../src/index.js'

// The workspace's shared .torrent fixtures (fixtures/make-torrents.py; expectations read by libtorrent).
const root = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
const expected = JSON.parse(readFileSync(join(root, 'torrents.expected.json'), 'utf8')) as Record<
  string,
  {
    files: number
    infohashV1: string | null
    infohashV2: string | null
    pieceLength: number
    private: boolean
    size: number
  }
>
const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'))

describe('parseTorrentFile on the shared libtorrent-checked fixtures', () => {
  for (const [file, exp] of Object.entries(expected)) {
    it(file, () => {
      const t = parseTorrentFile(readFileSync(join(root, 'torrents', file)))
      expect({
        files: t.files.length,
        infohashV1: hex(t.infohashV1),
        infohashV2: hex(t.infohashV2),
        pieceLength: t.pieceLength,
        private: t.private,
        size: t.totalSize,
      }).toEqual(exp)
    })
  }

  it('rejects every corrupt fixture with TorrentFormatError', () => {
    const names = readdirSync(join(root, 'corrupt'))
    expect(names.length).toBeGreaterThan(0)
    for (const name of names) {
      expect(() => parseTorrentFile(readFileSync(join(root, 'corrupt', name))), name).toThrow(
        TorrentFormatError,
      )
    }
  })
})
