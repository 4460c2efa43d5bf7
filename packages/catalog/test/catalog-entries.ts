// Deterministic synthetic libraries for the catalog tests.
import { createHash } from 'node:crypto'
import type { CatalogEntry } from '../src/catalog/entry.js'

const h = (alg: 'sha1' | 'sha256', s: string): string => createHash(alg).update(s).digest('hex')

/** Entry number i of a library; `rev` changes its content (a "changed" torrent) but not its key. */
export function syntheticEntry(i: number, rev = 0): CatalogEntry {
  const hybrid = i % 3 !== 2
  const v2only = i % 3 === 2
  const files = Array.from({ length: 1 + (i % 4) }, (_, j) => ({
    path: new Uint8Array(
      Buffer.from(j === 0 && i % 7 === 0 ? `dir/ünï-${i}-${j}.bin` : `dir/f${j}-r${rev}.dat`),
    ),
    size: 1000 * (j + 1) + i,
    piecesRoot: hybrid || v2only ? h('sha256', `root ${i} ${j} ${rev}`) : null,
  }))
  return {
    infohashV1: v2only ? null : h('sha1', `torrent ${i}`),
    infohashV2: hybrid || v2only ? h('sha256', `torrent ${i}`) : null,
    name:
      i % 11 === 5
        ? new Uint8Array([0x6e, 0xff, 0xfe, 0x41])
        : new Uint8Array(Buffer.from(`Torrent ${i} r${rev}`)),
    totalSize: files.reduce((s, f) => s + f.size, 0),
    pieceLength: 16384 << (i % 5),
    private: false,
    files,
    source: i % 2 ? 'dht' : 'import',
    firstSeen: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }
}

export const library = (n: number): CatalogEntry[] => Array.from({ length: n }, (_, i) => syntheticEntry(i))

/** Deterministic shuffle (so the tests replay). */
export function shuffled<T>(xs: readonly T[], seed = 1): T[] {
  const out = [...xs]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
