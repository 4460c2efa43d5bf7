// Torrents for the bb_sync bench: real v1 info dicts (so every one is verified for real) with file
// lists of 1..40 files (about 14 on average) and 10..200 pieces, a few kB each, from a seeded
// generator so the same N builds the same index. Ingested with their dicts, as a crawl stores them.
import { createHash } from 'node:crypto'
import type { PooledIndex, TorrentInput } from '@bbmesh/index'
import { bencode } from '@bbmesh/wire'
import { infoToTorrent } from '../src/harvester/info-to-torrent.js'

/** mulberry32: small, fast, good enough for test data. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS =
  'alpha bravo cosmic delta ember falcon granite harbor indigo jasper kepler lumen meridian nova orbit prism quartz raven solstice tundra umbra vertex willow xenon yonder zephyr'.split(
    ' ',
  )
const EXT = ['mkv', 'mp4', 'flac', 'mp3', 'iso', 'pdf', 'epub', 'jpg', 'srt', 'nfo', 'bin', 'zip']

/** The info dict of torrent `n` (seeded). */
export function benchInfo(n: number): Buffer {
  const r = rng(n * 2654435761)
  const word = (): string => WORDS[Math.floor(r() * WORDS.length)]!
  const name = `${word()}.${word()}.${word()}.${n}`
  const count = 1 + Math.floor(r() ** 2 * 40)
  const files = Array.from({ length: count }, (_, i) => ({
    length: 1 + Math.floor(r() * 2 ** 30),
    path: [
      Buffer.from(i % 5 === 4 ? 'extras' : 'disc'),
      Buffer.from(`${word()}-${word()}-${i}.${EXT[Math.floor(r() * EXT.length)]}`),
    ],
  }))
  // BEP 3: one 20-byte hash per piece of the whole; the piece length is sized to give 50..400 pieces.
  const total = files.reduce((t, f) => t + f.length, 0)
  let pieceLength = 16 * 1024
  while (total / pieceLength > 50 + r() * 350) pieceLength *= 2
  const pieces = Math.ceil(total / pieceLength)
  // Piece hashes are incompressible in real dicts; random words keep the cache's deflate honest.
  const hashes = new Uint32Array(pieces * 5)
  for (let i = 0; i < hashes.length; i++) hashes[i] = Math.floor(r() * 2 ** 32)
  return Buffer.from(
    bencode({
      files,
      name: Buffer.from(name),
      'piece length': pieceLength,
      pieces: Buffer.from(hashes.buffer),
    }),
  )
}

/** Ingests torrents 0..n-1 in batches of 1,000, each with its dict; returns the dict bytes. */
export async function fillIndex(
  index: PooledIndex,
  n: number,
  onBatch?: (done: number) => void,
): Promise<number> {
  const at = new Date('2026-01-01T00:00:00Z')
  let bytes = 0
  for (let from = 0; from < n; from += 1_000) {
    const batch: TorrentInput[] = []
    for (let i = from; i < Math.min(n, from + 1_000); i++) {
      const info = benchInfo(i)
      bytes += info.length
      batch.push(infoToTorrent(info, createHash('sha1').update(info).digest(), 'bench', at))
    }
    await index.ingest(batch)
    onBatch?.(Math.min(n, from + 1_000))
  }
  return bytes
}
