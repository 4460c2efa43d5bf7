import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TorrentInput } from '../src/index.js'

/** A deterministic 20-byte v1 infohash for test torrent `n`. */
export function ih1(n: number | string): Uint8Array {
  return new Uint8Array(createHash('sha1').update(`v1:${n}`).digest())
}

export function ih2(n: number | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`v2:${n}`).digest())
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex')
}

export function torrent(n: number, over: Partial<TorrentInput> = {}): TorrentInput {
  return {
    infohashV1: ih1(n),
    name: `Test.Torrent.${n}.1080p-GRP`,
    files: [
      { path: `Test.Torrent.${n}.1080p-GRP.mkv`, size: 1000 + n },
      { path: 'Sample/sample.mkv', size: 10 },
    ],
    source: 'test',
    seenAt: new Date('2026-01-01T00:00:00Z'),
    ...over,
  }
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bbmesh-index-'))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
