// Simulated torrents: one small v1 info dict per infohash (single file, one piece hash), seeded,
// so a BEP 9 answer is a real info dict that hashes to the announced infohash. Cheap enough for
// 50,000 torrents; the loopback testnet builds real payloads instead.
import { createHash } from 'node:crypto'
import { bencode, type RandomSource } from '@bbmesh/dht'
import type { TestnetTorrent } from '../content.js'

const PIECE_LENGTH = 16_384

/** `count` torrents, torrent i held by seed `i % seeds` (the ground truth of who serves what). */
export function generateSimTorrents(
  count: number,
  seeds: number,
  random: RandomSource,
  tag: string,
): TestnetTorrent[] {
  const out: TestnetTorrent[] = []
  for (let i = 0; i < count; i++) {
    const name = `sim-${tag}-${i}.bin`
    const length = 1 + Math.floor(random.next() * 4 * PIECE_LENGTH)
    const pieces = random.bytes(20 * Math.ceil(length / PIECE_LENGTH))
    const info = bencode({ length, name: Buffer.from(name), 'piece length': PIECE_LENGTH, pieces })
    const infohash = createHash('sha1').update(info).digest('hex')
    out.push({
      infohash,
      version: 'v1',
      infohashV1: infohash,
      infohashV2: null,
      name,
      files: [{ path: name, size: length }],
      totalSize: length,
      info,
      seed: i % seeds,
    })
  }
  return out
}
