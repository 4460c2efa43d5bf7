import type { TorrentInput } from '@bbmesh/index'

/** A small seeded PRNG (mulberry32), so every run indexes the same corpus. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = (
  'the of night star last dark city river blue house road fire king queen war game love ghost ' +
  'ocean storm winter summer black white red iron gold silver shadow dream garden mountain island ' +
  'secret empire planet machine signal garden forest desert frost light broken silent hidden wild'
).split(' ')
const GROUPS = ['NTb', 'DEMAND', 'FLUX', 'SPARKS', 'GROUP', 'RARBG', 'YIFY', 'EVO']

/** Scene-style torrents: episodes, season packs, movies, albums, ISOs and e-book packs. */
export function generate(n: number, seed: number): { torrents: TorrentInput[]; queries: string[] } {
  const r = rng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
  const title = (): string =>
    Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(WORDS))
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join('.')
  const torrents: TorrentInput[] = []
  const queries: string[] = []
  for (let i = 0; i < n; i++) {
    const ih = new Uint8Array(20)
    new DataView(ih.buffer).setUint32(0, i + 1)
    new DataView(ih.buffer).setUint32(4, Math.floor(r() * 2 ** 32))
    const t = title()
    const kind = r()
    let name: string
    let files: { path: string; size: number }[]
    if (kind < 0.35) {
      const s = 1 + Math.floor(r() * 8)
      const e = 1 + Math.floor(r() * 20)
      name = `${t}.S${String(s).padStart(2, '0')}E${String(e).padStart(2, '0')}.1080p.WEB-DL.x264-${pick(GROUPS)}.mkv`
      files = [{ path: name, size: 1e9 + Math.floor(r() * 2e9) }]
    } else if (kind < 0.5) {
      name = `${t}.S0${1 + Math.floor(r() * 8)}.720p.BluRay.x264-${pick(GROUPS)}`
      files = Array.from({ length: 6 + Math.floor(r() * 8) }, (_, k) => ({
        path: `${name}/${t}.E${String(k + 1).padStart(2, '0')}.mkv`,
        size: 8e8 + Math.floor(r() * 4e8),
      }))
    } else if (kind < 0.75) {
      name = `${t}.${1970 + Math.floor(r() * 55)}.2160p.UHD.BluRay.x265-${pick(GROUPS)}`
      files = [
        { path: `${name}/${t}.mkv`, size: 1e10 + Math.floor(r() * 2e10) },
        { path: `${name}/${pick(GROUPS)}.nfo`, size: 3000 },
      ]
    } else if (kind < 0.9) {
      name = `${t} - ${title()} (${1970 + Math.floor(r() * 55)}) [FLAC]`
      files = Array.from({ length: 8 + Math.floor(r() * 6) }, (_, k) => ({
        path: `${name}/${String(k + 1).padStart(2, '0')} - ${title()}.flac`,
        size: 2e7 + Math.floor(r() * 4e7),
      }))
    } else if (kind < 0.95) {
      name = `${t.toLowerCase()}-${Math.floor(r() * 30)}.${Math.floor(r() * 10)}-amd64.iso`
      files = [{ path: name, size: 1e9 + Math.floor(r() * 5e9) }]
    } else {
      name = `${t} Collection EPUB`
      files = Array.from({ length: 20 + Math.floor(r() * 40) }, () => ({
        path: `${name}/${title()}.epub`,
        size: 1e6,
      }))
    }
    torrents.push({ infohashV1: ih, name, files, source: 'bench' })
    // Queries the way people type them: a title word or two, sometimes with a season.
    if (i % 97 === 0) queries.push(t.split('.').slice(0, 2).join(' ').toLowerCase())
  }
  return { torrents, queries: queries.slice(0, 200) }
}
