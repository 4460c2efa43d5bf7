// A generated library for federated search tests: torrents with words from a small vocabulary (so
// queries match across members), each dealt to one or more members' SQLite indexes, and one index
// holding the union to check the federated answer against.
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openIndex, type PooledIndex, type TorrentInput } from '@bbmesh/index'

const WORDS = [
  'aurora',
  'basalt',
  'cobalt',
  'delta',
  'ember',
  'fjord',
  'granite',
  'harbor',
  'indigo',
  'juniper',
]
const KINDS = [
  { ext: 'mkv', size: 1_500_000_000 },
  { ext: 'iso', size: 4_000_000_000 },
  { ext: 'flac', size: 40_000_000 },
  { ext: 'epub', size: 2_000_000 },
]

/** Deterministic: the same `n` and `seed` give the same library. */
export function generateLibrary(n: number, seed = 1): TorrentInput[] {
  let s = seed >>> 0
  const rnd = (k: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s % k
  }
  const out: TorrentInput[] = []
  for (let i = 0; i < n; i++) {
    const kind = KINDS[rnd(KINDS.length)]!
    const name = `${WORDS[rnd(WORDS.length)]}.${WORDS[rnd(WORDS.length)]}.${2015 + rnd(10)}.${kind.ext}-${i}`
    const files = Array.from({ length: 1 + rnd(3) }, (_, f) => ({
      path: `${name}/part${f}.${kind.ext}`,
      size: Math.floor(kind.size / (1 + rnd(4))),
    }))
    out.push({
      infohashV1: createHash('sha1').update(`lib-${seed}-${i}`).digest(),
      name,
      files,
      source: 'import',
      seenAt: new Date(Date.UTC(2026, 0, 1 + rnd(300))),
    })
  }
  return out
}

export interface TempIndexes {
  open(torrents: TorrentInput[]): Promise<PooledIndex>
  close(): Promise<void>
}

export async function tempIndexes(): Promise<TempIndexes> {
  const dir = await mkdtemp(join(tmpdir(), 'bbmesh-search-'))
  const opened: PooledIndex[] = []
  return {
    async open(torrents) {
      const index = await openIndex({ path: join(dir, `${opened.length}.db`) })
      opened.push(index)
      if (torrents.length > 0) await index.ingest(torrents)
      return index
    },
    async close() {
      await Promise.all(opened.splice(0).map((i) => i.close()))
      await rm(dir, { recursive: true, force: true })
    },
  }
}
