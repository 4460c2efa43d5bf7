// Quality signals a member can check for itself from a torrent's name and file list: the patterns
// fakes and poisoned uploads use on the DHT. A name that promises a film or an episode but whose
// biggest file is a program; an archive that needs a password fetched from a link; a "1080p film" of
// a few megabytes. Flags are signals, not verdicts: they sink a torrent in the ranking and are shown,
// never hide it unless the user asks (`--clean`).

export type QualityFlag = 'executable' | 'password-bait' | 'tiny-video'

/** Wire codes (bb_search hit key `k`), in this order; unknown codes from a newer member are ignored. */
export const QUALITY_FLAGS: readonly QualityFlag[] = ['executable', 'password-bait', 'tiny-video']

export interface QualityInput {
  name: string
  totalSize: number
  /** Every file when known, else what is (a search hit's matched files). */
  files: ReadonlyArray<{ path: string; size: number }>
  /** Whether `files` is the whole list; some checks need it. */
  complete: boolean
}

const EXECUTABLE = new Set([
  'exe',
  'scr',
  'lnk',
  'bat',
  'cmd',
  'com',
  'msi',
  'pif',
  'vbs',
  'js',
  'jar',
  'ps1',
])
const ARCHIVE = new Set(['rar', 'zip', '7z'])
// What a video release name carries: a resolution, a source, a codec, an episode tag.
const VIDEO_NAME =
  /(?:^|[^a-z0-9])(?:2160p|1080[pi]|720p|480p|4k|uhd|bluray|blu-ray|bdrip|brrip|web-?dl|webrip|hdtv|dvdrip|x264|x265|h\.?26[45]|hevc|xvid|s\d{1,2}e\d{1,3})(?:$|[^a-z0-9])/i
const BAIT_NAME = /pass(?:word)?|pwd|key|unlock|read[\s._-]?me/i
const LINK_EXT = new Set(['url', 'lnk', 'webloc', 'html', 'htm'])
/** A video release smaller than this is not the video its name claims. */
const TINY_VIDEO_BYTES = 20 * 1024 * 1024

function ext(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase()
}

export function assessQuality(t: QualityInput): QualityFlag[] {
  const flags: QualityFlag[] = []
  const videoName = VIDEO_NAME.test(t.name)
  const biggest = t.files.reduce<{ path: string; size: number } | undefined>(
    (b, f) => (b === undefined || f.size > b.size ? f : b),
    undefined,
  )
  // With only some files known, the biggest known one must still hold most of the bytes.
  const dominant = biggest !== undefined && (t.complete || biggest.size * 2 >= t.totalSize)
  if (videoName && dominant && EXECUTABLE.has(ext(biggest.path))) flags.push('executable')
  const archives = t.files.filter((f) => ARCHIVE.has(ext(f.path)))
  const bait = t.files.some((f) => {
    const base = f.path.slice(f.path.lastIndexOf('/') + 1)
    return (
      f.size < 64 * 1024 && (LINK_EXT.has(ext(f.path)) || (ext(f.path) === 'txt' && BAIT_NAME.test(base)))
    )
  })
  if (archives.length > 0 && bait && (videoName || archives.length === t.files.length - 1))
    flags.push('password-bait')
  if (videoName && t.totalSize < TINY_VIDEO_BYTES && t.totalSize > 0) flags.push('tiny-video')
  return flags
}

export function encodeFlags(flags: readonly QualityFlag[]): number[] {
  return flags.map((f) => QUALITY_FLAGS.indexOf(f)).filter((i) => i >= 0)
}

export function decodeFlags(codes: readonly number[]): QualityFlag[] {
  const out = new Set<QualityFlag>()
  for (const c of codes) {
    const f = QUALITY_FLAGS[c]
    if (f !== undefined) out.add(f)
  }
  return [...out]
}
