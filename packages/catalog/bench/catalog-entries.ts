// Synthetic libraries for the catalog benchmark: realistic-looking names and 1–5 files per torrent.
import { createHash } from 'node:crypto'
import type { CatalogEntry } from '../src/index.js'

const words = [
  'ubuntu',
  'debian',
  'linux',
  'server',
  'desktop',
  'amd64',
  'arm64',
  'iso',
  'live',
  'docs',
  'dataset',
  'archive',
]

/** Torrent `i`; `rev` > 0 gives the same infohashes with another name and files (a changed line). */
export function benchEntry(i: number, rev = 0): CatalogEntry {
  const hash = (alg: string, s: string): string => createHash(alg).update(s).digest('hex')
  const name = `${words[i % 12]}-${words[(i >> 3) % 12]}-${i}-${words[(i >> 6) % 12]}${rev ? `-r${rev}` : ''}`
  const files = Array.from({ length: 1 + (i % 5) }, (_, j) => ({
    path: new Uint8Array(Buffer.from(`${name}/${words[(i + j) % 12]}-${j}.bin`)),
    size: 1_000_000 + ((i * 7919 + j * 104729) % 900_000_000),
    piecesRoot: hash('sha256', `root ${i} ${j}`),
  }))
  return {
    infohashV1: hash('sha1', `t ${i}`),
    infohashV2: hash('sha256', `t ${i}`),
    name: new Uint8Array(Buffer.from(name)),
    totalSize: files.reduce((n, f) => n + f.size, 0),
    pieceLength: 1 << 20,
    private: false,
    files,
    source: 'dht',
    firstSeen: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }
}
