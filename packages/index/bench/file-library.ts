import { createHash } from 'node:crypto'
import type { TorrentInput } from '../src/index.js'
import { generateBatch, rng } from './generate.js'
import type { Vocab } from './generate.js'

// A generated v2/hybrid library for the file-root dedup bench (bench/file-roots.ts): the tracker-style
// torrents of generate.ts, every one v2-only or hybrid, with SHARED_FRACTION of their (non-tiny)
// files drawn from a pool of shared files (the same content, so the same pieces root and size, under
// the pool's file name), skewed so that some files are in many torrents and most in a few, as a
// popular episode is in its single release, its season pack and a few re-packs.

export const SHARED_FRACTION = 0.2
/** Torrent-files per shared file on average: sets the pool size from the expected file count. */
const AVG_HOLDERS = 4
/** BEP 52 files of one 16 KiB block or less still get a root; the bench keeps generate.ts's threshold. */
const MIN_ROOTED_SIZE = 16_384

export interface PoolFile {
  root: Uint8Array
  size: number
  name: string
}

const sha256 = (s: string) => new Uint8Array(createHash('sha256').update(s).digest())

/** The shared files: real paths and sizes of an independent generated stream, each given a root. */
export function sharedPool(seed: number, v: Vocab, expectedFiles: number): PoolFile[] {
  const want = Math.max(1, Math.round((expectedFiles * SHARED_FRACTION) / AVG_HOLDERS))
  const out: PoolFile[] = []
  for (let b = 0; out.length < want; b++) {
    for (const t of generateBatch(seed + 9_999, v, b, 500)) {
      for (const f of t.files) {
        if (f.size <= MIN_ROOTED_SIZE || out.length >= want) continue
        const name = (f.path as string).split('/').at(-1)!
        out.push({ root: sha256(`pool:${seed}:${out.length}`), size: f.size, name })
      }
    }
  }
  return out
}

/** Batch `b` of the library: generate.ts's batch, made v2 (30%) or hybrid, files rooted and shared. */
export function libraryBatch(seed: number, v: Vocab, pool: readonly PoolFile[], b: number, size: number) {
  const r = rng(seed * 7_919 + b)
  return generateBatch(seed, v, b, size).map((t, i): TorrentInput => {
    const n = b * size + i
    const ih2 = sha256(`lib:${seed}:${n}`)
    const files = t.files.map((f) => {
      if (f.size <= MIN_ROOTED_SIZE) return { path: f.path, size: f.size }
      if (r() < SHARED_FRACTION) {
        // Skewed: low pool indexes are held by many torrents.
        const p = pool[Math.floor(r() ** 1.6 * pool.length)]!
        const dir = (f.path as string).split('/').slice(0, -1).join('/')
        return { path: dir === '' ? p.name : `${dir}/${p.name}`, size: p.size, piecesRoot: p.root }
      }
      return { ...f, piecesRoot: sha256(`own:${seed}:${n}:${f.path as string}`) }
    })
    const v2only = r() < 0.3
    return { ...t, infohashV1: v2only ? undefined : t.infohashV1, infohashV2: ih2, files }
  })
}
