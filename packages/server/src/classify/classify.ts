import { extensionOf, kindOfExtension, type ExtensionKind } from './extensions.js'

/** What a torrent holds, as far as its name and file names tell. */
export type ContentKind = 'tv' | 'movie' | 'video' | 'audio' | 'software' | 'ebook' | 'other'

export interface Classification {
  kind: ContentKind
  /** Torznab parent category (5000) and the most specific one known (5040). */
  category: number
  subcategory: number
  /** From an episode pattern (S01E02, 1x02) or a season pack (S01, "Season 1"). */
  season?: number
  episode?: number
  /** A plausible release year in the name (1920..next year). */
  year?: number
  resolution?: 'sd' | 'hd' | 'uhd'
}

export interface ClassifyInput {
  name: string
  /** All files, or a sample of them (search hits carry only matched files). */
  files: ReadonlyArray<{ path: string; size: number }>
}

// Scene and P2P names separate words with dots, dashes, underscores, spaces or brackets.
const SEP = String.raw`(?:^|[\s._\-\[\](){}])`
const EPISODE = new RegExp(`${SEP}s(\\d{1,2})[\\s._-]?e(\\d{1,3})`, 'i')
const CROSS_EPISODE = new RegExp(`${SEP}(\\d{1,2})x(\\d{2,3})(?=$|[\\s._\\-\\[\\]()])`, 'i')
const SEASON_PACK = new RegExp(`${SEP}(?:s(\\d{1,2})(?=$|[\\s._\\-\\[\\]()])|season[\\s._-]?(\\d{1,2}))`, 'i')
const COMPLETE_SERIES = /complete[\s._-]+series|\bminiseries\b/i
const YEAR = new RegExp(`${SEP}((?:19[2-9]|20\\d)\\d)(?=$|[\\s._\\-\\[\\]()])`, 'g')
const UHD = /(?:^|[^a-z0-9])(?:2160p|4k|uhd)(?:$|[^a-z0-9])/i
const HD = /(?:^|[^a-z0-9])(?:720p|1080[pi]|bluray|blu-ray|bdrip|brrip|web-?dl|webrip|hdtv)(?:$|[^a-z0-9])/i
const AUDIOBOOK = /audiobook|unabridged/i

const SUBCATEGORY = {
  tv: { sd: 5030, hd: 5040, uhd: 5045 },
  movie: { sd: 2030, hd: 2040, uhd: 2045 },
} as const

/**
 * Classifies a torrent from its name and file names. The kind is the extension group holding most
 * bytes (a season of .mkv with .nfo and .jpg beside it is video); video is then TV when the name
 * has an episode or season pattern, a movie when it carries a release year, plain video otherwise.
 */
export function classify(input: ClassifyInput): Classification {
  const dominant = dominantKind(input)
  const name = input.name
  if (dominant === 'video') {
    const resolution = UHD.test(name) ? 'uhd' : HD.test(name) ? 'hd' : 'sd'
    const tv = tvPattern(name)
    if (tv !== undefined)
      return { kind: 'tv', category: 5000, subcategory: SUBCATEGORY.tv[resolution], resolution, ...tv }
    const year = yearOf(name)
    if (year !== undefined)
      return { kind: 'movie', category: 2000, subcategory: SUBCATEGORY.movie[resolution], resolution, year }
    return { kind: 'video', category: 8000, subcategory: 8010, resolution }
  }
  const year = yearOf(name)
  const withYear = year === undefined ? {} : { year }
  if (dominant === 'audio') {
    const exts = new Set(input.files.map((f) => extensionOf(f.path)))
    const sub =
      AUDIOBOOK.test(name) || exts.has('m4b')
        ? 3030
        : ['flac', 'ape', 'alac', 'wav', 'wv', 'dsf'].some((e) => exts.has(e)) || /flac|lossless/i.test(name)
          ? 3040
          : 3010
    return { kind: 'audio', category: 3000, subcategory: sub, ...withYear }
  }
  if (dominant === 'software') {
    const exts = new Set(input.files.map((f) => extensionOf(f.path)))
    const sub =
      exts.has('apk') || exts.has('xapk') ? 4070 : exts.has('dmg') ? 4030 : exts.has('iso') ? 4020 : 4000
    return { kind: 'software', category: 4000, subcategory: sub, ...withYear }
  }
  if (dominant === 'ebook' || dominant === 'comic')
    return { kind: 'ebook', category: 7000, subcategory: dominant === 'comic' ? 7030 : 7020, ...withYear }
  return { kind: 'other', category: 8000, subcategory: 8010, ...withYear }
}

/** The extension kind holding the most bytes; ties and unknown extensions fall to the name's own extension. */
function dominantKind(input: ClassifyInput): ExtensionKind | undefined {
  const bytes = new Map<ExtensionKind, number>()
  for (const f of input.files) {
    const kind = kindOfExtension(extensionOf(f.path))
    // Count a zero-size file as one byte so a listing without sizes still votes.
    if (kind !== undefined) bytes.set(kind, (bytes.get(kind) ?? 0) + Math.max(1, f.size))
  }
  let best: ExtensionKind | undefined
  let bestBytes = 0
  for (const [kind, n] of bytes) {
    if (n > bestBytes) {
      best = kind
      bestBytes = n
    }
  }
  return best ?? kindOfExtension(extensionOf(input.name))
}

function tvPattern(name: string): { season?: number; episode?: number } | undefined {
  const ep = EPISODE.exec(name) ?? CROSS_EPISODE.exec(name)
  if (ep !== null) return { season: Number(ep[1]), episode: Number(ep[2]) }
  const pack = SEASON_PACK.exec(name)
  if (pack !== null) return { season: Number(pack[1] ?? pack[2]) }
  // A whole-series pack has no one season; Sonarr reads season 0 as specials, so give none.
  if (COMPLETE_SERIES.test(name)) return {}
  return undefined
}

/** The last plausible year: "2001.A.Space.Odyssey.1968" is from 1968. */
function yearOf(name: string): number | undefined {
  const max = new Date().getUTCFullYear() + 1
  let found: number | undefined
  for (const m of name.matchAll(YEAR)) {
    const y = Number(m[1])
    if (y >= 1920 && y <= max) found = y
  }
  return found
}
