// Generated, seeded torrent content: small in-memory payloads turned into v1, v2 and hybrid
// torrents by @bbmesh/catalog's deterministic builder. Same seed, same torrents, same infohashes.
import { createHash } from 'node:crypto'
import { buildTorrent, type MemoryFile, type TorrentVersion } from '@bbmesh/catalog'
import type { RandomSource } from '@bbmesh/dht'
import { INFOHASH_BYTES, MAX_FILE_BYTES, MAX_FILES, MIN_FILE_BYTES } from './constants.js'

export interface TestnetFile {
  /** Path inside the torrent joined by '/' (a single-file torrent: its name). Pad files are not listed. */
  path: string
  size: number
}

/** One torrent of the ground truth: what was announced and what a harvester should end up with. */
export interface TestnetTorrent {
  /**
   * The 20-byte key announced in the DHT, hex: the SHA-1 infohash for v1, the SHA-256 infohash
   * truncated to 20 bytes for v2 (BEP 52). Hybrids are announced under one of the two (see `seed`).
   */
  infohash: string
  version: TorrentVersion
  infohashV1: string | null
  /** The full 32-byte v2 infohash. */
  infohashV2: string | null
  name: string
  files: TestnetFile[]
  totalSize: number
  /** The bencoded info dict, as BEP 9 serves it. */
  info: Uint8Array
  /** Which seed holds and announces it. */
  seed: number
}

export interface GenerateOptions {
  count: number
  random: RandomSource
  /** Per torrent: may it be v2-only (stock seeds serve SHA-1-verified metadata only). */
  allowV2: (i: number) => boolean
  /** Per torrent: announce a hybrid under its truncated v2 hash (else its v1 hash). */
  hybridByV2: (i: number) => boolean
  seedOf: (i: number) => number
  v2Share: number
  hybridShare: number
  /** Distinguishes runs with different seeds in names. */
  tag: string
}

const WORDS = [
  'aurora',
  'basalt',
  'cedar',
  'delta',
  'ember',
  'fjord',
  'granite',
  'harbor',
  'iris',
  'juniper',
  'kelp',
  'lagoon',
  'meadow',
  'nebula',
  'orchid',
  'prairie',
  'quartz',
  'river',
  'sierra',
  'tundra',
  'umber',
  'valley',
  'willow',
  'xenon',
  'yarrow',
  'zephyr',
]
const EXTS = ['txt', 'bin', 'dat', 'log', 'csv']

export async function generateTorrents(opts: GenerateOptions): Promise<TestnetTorrent[]> {
  const { random } = opts
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)]!
  const int = (lo: number, hi: number): number => lo + Math.floor(random.next() * (hi - lo + 1))
  const out: TestnetTorrent[] = []
  for (let i = 0; i < opts.count; i++) {
    const r = random.next()
    let version: TorrentVersion = 'v1'
    if (r < opts.hybridShare) version = 'hybrid'
    else if (r < opts.hybridShare + opts.v2Share) version = opts.allowV2(i) ? 'v2' : 'hybrid'
    const name = `${opts.tag}-${String(i).padStart(4, '0')} ${pick(WORDS)} ${pick(WORDS)}`
    const nFiles = int(1, MAX_FILES)
    const blob = (): Uint8Array => payload(random.bytes(16), int(MIN_FILE_BYTES, MAX_FILE_BYTES))
    const source =
      nFiles === 1
        ? { name: `${name}.${pick(EXTS)}`, data: blob() }
        : { name, files: memoryFiles(nFiles, blob, pick, int) }
    const built = await buildTorrent(source, { version })
    const v1 = built.infohashV1 ? Buffer.from(built.infohashV1).toString('hex') : null
    const v2 = built.infohashV2 ? Buffer.from(built.infohashV2).toString('hex') : null
    const byV2 = version === 'v2' || (version === 'hybrid' && opts.hybridByV2(i))
    const key = byV2 ? v2!.slice(0, INFOHASH_BYTES * 2) : v1!
    out.push({
      infohash: key,
      version,
      infohashV1: v1,
      infohashV2: v2,
      name: Buffer.from(built.name).toString('utf8'),
      files: built.files.map((f) => ({
        path: f.path.map((p) => Buffer.from(p).toString('utf8')).join('/'),
        size: f.size,
      })),
      totalSize: built.totalSize,
      info: built.info,
      seed: opts.seedOf(i),
    })
  }
  return out
}

function memoryFiles(
  n: number,
  blob: () => Uint8Array,
  pick: <T>(xs: readonly T[]) => T,
  int: (lo: number, hi: number) => number,
): MemoryFile[] {
  const files: MemoryFile[] = []
  const taken = new Set<string>()
  const dirs = new Set<string>()
  while (files.length < n) {
    const leaf = `${pick(WORDS)}.${pick(EXTS)}`
    const path = int(0, 2) === 0 ? [pick(WORDS), leaf] : [leaf]
    const key = path.join('/')
    // Each path once, and no name both a file and a directory.
    if (taken.has(key) || dirs.has(key) || (path.length > 1 && taken.has(path[0]!))) continue
    taken.add(key)
    if (path.length > 1) dirs.add(path[0]!)
    files.push({ path, data: blob() })
  }
  return files
}

/** `size` bytes expanded from a 16-byte seed with SHA-256 in counter mode: cheap and reproducible. */
function payload(seed: Uint8Array, size: number): Uint8Array {
  const out = Buffer.allocUnsafe(size)
  const ctr = Buffer.alloc(4)
  for (let off = 0, n = 0; off < size; off += 32, n++) {
    ctr.writeUInt32BE(n)
    createHash('sha256').update(seed).update(ctr).digest().copy(out, off)
  }
  return new Uint8Array(out.buffer, out.byteOffset, size)
}
