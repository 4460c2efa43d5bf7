import { createHash } from 'node:crypto'
import type { TorrentFileInput, TorrentInput } from '../src/index.js'

// A seeded generator of torrents in the naming styles seen on public trackers: scene releases, TV
// episodes and season packs, music albums, Linux ISOs and software, anime, e-book and photo dumps.
// Batch `b` of seed `s` is always the same, so the index run and the raw baseline see identical rows.

/** mulberry32: small, fast, good enough for test data. */
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

type R = () => number
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
/** Zipf-like skew: low indexes are much more common, as popular titles are. */
const skewed = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() ** 2.2 * xs.length)]!
const int = (r: R, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1))
const pad = (n: number, w = 2) => String(n).padStart(w, '0')
const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1)

const SYL =
  'ka ri to mu sen da lo vi ne ra shi bel gor an tis mor len qua zu fi ter nox pra dal wen cor ish ul'.split(
    ' ',
  )
const COMMON =
  'the of and a in to is you that it he for was on are as with his they at be this from have or by one had not but what all were when we there can an your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know get through back much go good new write our me man too any day same right look think also around another came come work three word must because does part even place well such here take why things help put years different away again off went old number great tell men say small every found still between name should home big give air line set own under read last never us left end along while might next sound below saw something thought both few those always looks show large often together asked house world going want school important until form food keep children feet land side without boy once animals life enough took sometimes four head above kind began almost live page got earth need far hand high year mother light parts country father let night following picture being study second eyes soon times story boys since white days ever paper hard near sentence better best across during today others sure means knew its try told young miles sun ways thing whole hear example heard several change answer room sea against top turned learn point city play toward five using himself usually'.split(
    ' ',
  )

/** A large pseudo-vocabulary of proper names (shows, artists, groups), built from syllables. */
function makeNames(r: R, n: number): string[] {
  const out = new Set<string>()
  while (out.size < n) {
    let w = ''
    for (let i = int(r, 2, 3); i > 0; i--) w += pick(r, SYL)
    out.add(cap(w))
  }
  return [...out]
}

const RES = ['1080p', '720p', '2160p', '480p']
const SRC = ['WEB-DL', 'WEBRip', 'BluRay', 'HDTV', 'WEB', 'BDRip', 'DVDRip']
const CODEC = ['x264', 'x265', 'H264', 'H.265', 'HEVC', 'AV1', 'XviD']
const AUDIO = ['DD5.1', 'AAC2.0', 'DTS-HD.MA.5.1', 'TrueHD.7.1.Atmos', 'AC3', 'DDP5.1']
const MUSIC_FMT = ['FLAC', 'MP3 320', 'FLAC 24-96', 'V0', 'ALAC', 'WEB FLAC']
const DISTROS: [string, string[], string[]][] = [
  ['ubuntu', ['22.04.4', '24.04.1', '24.10', '20.04.6'], ['desktop', 'live-server']],
  ['debian', ['12.5.0', '12.7.0', '11.9.0'], ['netinst', 'DVD-1']],
  ['Fedora-Workstation-Live', ['39-1.5', '40-1.14', '41-1.4'], ['x86_64']],
  ['archlinux', ['2024.11.01', '2025.01.01'], ['x86_64']],
  ['linuxmint', ['21.3', '22'], ['cinnamon-64bit', 'mate-64bit', 'xfce-64bit']],
  ['kali-linux', ['2024.3', '2024.4'], ['installer-amd64', 'live-amd64']],
]

export interface Vocab {
  names: string[]
  groups: string[]
}

export function makeVocab(seed: number): Vocab {
  const r = rng(seed ^ 0x5eed)
  return { names: makeNames(r, 20_000), groups: makeNames(r, 400).map((g) => g.toUpperCase().slice(0, 6)) }
}

const words = (r: R, v: Vocab, lo: number, hi: number, sep: string) => {
  const n = int(r, lo, hi)
  const ws: string[] = []
  for (let i = 0; i < n; i++) ws.push(r() < 0.55 ? skewed(r, v.names) : cap(pick(r, COMMON)))
  return ws.join(sep)
}

const sceneTail = (r: R, v: Vocab) =>
  `${pick(r, RES)}.${pick(r, SRC)}.${r() < 0.4 ? pick(r, AUDIO) + '.' : ''}${pick(r, CODEC)}-${skewed(r, v.groups)}`

const GB = 1024 ** 3
const MB = 1024 ** 2

function episode(r: R, v: Vocab): [string, TorrentFileInput[]] {
  const name = `${words(r, v, 1, 3, '.')}.S${pad(int(r, 1, 12))}E${pad(int(r, 1, 24))}.${sceneTail(r, v)}`
  const files: TorrentFileInput[] = [{ path: `${name}.mkv`, size: int(r, 200 * MB, 4 * GB) }]
  if (r() < 0.5) files.push({ path: `${name}.nfo`, size: int(r, 500, 9000) })
  if (r() < 0.3)
    files.push({ path: `Sample/${name.toLowerCase()}-sample.mkv`, size: int(r, 5 * MB, 60 * MB) })
  return files.length === 1 ? [`${name}.mkv`, files] : [name, files]
}

function seasonPack(r: R, v: Vocab): [string, TorrentFileInput[]] {
  const show = words(r, v, 1, 3, '.')
  const s = pad(int(r, 1, 12))
  const tail = sceneTail(r, v)
  const files: TorrentFileInput[] = []
  for (let e = 1, n = int(r, 6, 24); e <= n; e++) {
    files.push({ path: `${show}.S${s}E${pad(e)}.${tail}.mkv`, size: int(r, 300 * MB, 3 * GB) })
    if (r() < 0.5)
      files.push({ path: `Subs/${show}.S${s}E${pad(e)}.${tail}/2_English.srt`, size: int(r, 20_000, 90_000) })
  }
  files.push({ path: `${show}.S${s}.${tail}.nfo`, size: 4000 })
  return [`${show}.S${s}.${tail}`, files]
}

function movie(r: R, v: Vocab): [string, TorrentFileInput[]] {
  const name = `${words(r, v, 1, 4, '.')}.${int(r, 1950, 2025)}.${sceneTail(r, v)}`
  const files: TorrentFileInput[] = [{ path: `${name}.mkv`, size: int(r, 700 * MB, 30 * GB) }]
  if (r() < 0.6) files.push({ path: `${name}.nfo`, size: int(r, 500, 9000) })
  if (r() < 0.4)
    for (let i = int(r, 1, 12); i > 0; i--)
      files.push({
        path: `Subs/${i}_${pick(r, ['English', 'French', 'German', 'Spanish', 'Italian'])}.srt`,
        size: int(r, 30_000, 120_000),
      })
  return [name, files]
}

function album(r: R, v: Vocab): [string, TorrentFileInput[]] {
  const fmt = pick(r, MUSIC_FMT)
  const ext = fmt.includes('MP3') || fmt === 'V0' ? 'mp3' : fmt === 'ALAC' ? 'm4a' : 'flac'
  const name = `${words(r, v, 1, 2, ' ')} - ${words(r, v, 1, 4, ' ')} (${int(r, 1960, 2025)}) [${fmt}]`
  const files: TorrentFileInput[] = []
  const discs = r() < 0.1 ? 2 : 1
  for (let d = 1; d <= discs; d++) {
    for (let t = 1, n = int(r, 6, 18); t <= n; t++) {
      const dir = discs > 1 ? `CD${d}/` : ''
      files.push({
        path: `${dir}${pad(t)} - ${words(r, v, 1, 5, ' ')}.${ext}`,
        size: int(r, 3 * MB, 60 * MB),
      })
    }
  }
  files.push({ path: 'cover.jpg', size: int(r, 50_000, 3 * MB) })
  if (ext === 'flac' && r() < 0.5)
    files.push({ path: `${name}.log`, size: 5000 }, { path: `${name}.cue`, size: 2000 })
  return [name, files]
}

function software(r: R, v: Vocab): [string, TorrentFileInput[]] {
  if (r() < 0.6) {
    const [distro, vers, eds] = pick(r, DISTROS)
    const name = `${distro}-${pick(r, vers)}-${pick(r, eds)}${distro.includes('amd64') ? '' : r() < 0.7 ? '-amd64' : ''}.iso`
    return [name, [{ path: name, size: int(r, 400 * MB, 6 * GB) }]]
  }
  const name = `${words(r, v, 1, 2, '.')}.v${int(r, 1, 30)}.${int(r, 0, 9)}.${int(r, 0, 99)}.x64-${skewed(r, v.groups)}`
  const files: TorrentFileInput[] = [{ path: `${name.toLowerCase()}.iso`, size: int(r, 50 * MB, 4 * GB) }]
  for (const f of ['keygen.exe', 'readme.txt', `${skewed(r, v.groups).toLowerCase()}.nfo`, 'file_id.diz']) {
    if (r() < 0.5) files.push({ path: f, size: int(r, 1000, 900_000) })
  }
  return [name, files]
}

function anime(r: R, v: Vocab): [string, TorrentFileInput[]] {
  const group = skewed(r, v.groups)
  const title = words(r, v, 1, 4, ' ')
  const res = pick(r, ['1080p', '720p'])
  const crc = () =>
    Math.floor(r() * 0xffffffff)
      .toString(16)
      .toUpperCase()
      .padStart(8, '0')
  if (r() < 0.7) {
    const name = `[${group}] ${title} - ${pad(int(r, 1, 26))} [${res}][${crc()}].mkv`
    return [name, [{ path: name, size: int(r, 200 * MB, 1500 * MB) }]]
  }
  const files: TorrentFileInput[] = []
  for (let e = 1, n = int(r, 12, 26); e <= n; e++)
    files.push({
      path: `[${group}] ${title} - ${pad(e)} [${res}][${crc()}].mkv`,
      size: int(r, 200 * MB, 1500 * MB),
    })
  return [`[${group}] ${title} (01-${pad(files.length)}) [${res}] [Batch]`, files]
}

function bigDump(r: R, v: Vocab): [string, TorrentFileInput[]] {
  const n = Math.min(2000, Math.floor(60 / (r() + 0.03)))
  const files: TorrentFileInput[] = []
  const kind = int(r, 0, 2)
  if (kind === 0) {
    for (let i = 0; i < n; i++) {
      const author = skewed(r, v.names)
      files.push({
        path: `${author.charAt(0)}/${author} ${skewed(r, v.names)}/${words(r, v, 1, 5, ' ')} (${int(r, 1900, 2025)}).${pick(r, ['epub', 'pdf', 'mobi', 'azw3'])}`,
        size: int(r, 100_000, 40 * MB),
      })
    }
    return [`${words(r, v, 1, 3, ' ')} Ebook Collection ${int(r, 2000, 2025)}`, files]
  }
  if (kind === 1) {
    for (let i = 0; i < n; i++)
      files.push({
        path: `${pick(r, ['DCIM', 'Photos', 'Pictures'])}/${int(r, 100, 130)}CANON/IMG_${pad(i + 1, 4)}.${pick(r, ['JPG', 'CR2'])}`,
        size: int(r, 2 * MB, 30 * MB),
      })
    return [`${words(r, v, 1, 3, ' ')} Photo Archive ${int(r, 2000, 2025)}`, files]
  }
  const mods = Array.from({ length: int(r, 3, 20) }, () => skewed(r, COMMON))
  for (let i = 0; i < n; i++)
    files.push({
      path: `src/${pick(r, mods)}/${pick(r, COMMON)}_${pick(r, COMMON)}.${pick(r, ['c', 'h', 'rs', 'go', 'ts', 'py'])}`,
      size: int(r, 200, 90_000),
    })
  return [`${skewed(r, v.names).toLowerCase()}-${int(r, 0, 9)}.${int(r, 0, 30)}.${int(r, 0, 9)}`, files]
}

const KINDS: [number, (r: R, v: Vocab) => [string, TorrentFileInput[]]][] = [
  [0.28, episode],
  [0.07, seasonPack],
  [0.22, movie],
  [0.15, album],
  [0.09, software],
  [0.12, anime],
  [0.07, bigDump],
]

/** Torrents [b*size, (b+1)*size) of the stream for `seed`. */
export function generateBatch(seed: number, v: Vocab, b: number, size: number): TorrentInput[] {
  const r = rng(seed * 1_000_003 + b)
  const out: TorrentInput[] = []
  for (let i = 0; i < size; i++) {
    const n = b * size + i
    let x = r()
    let gen = KINDS[0]![1]
    for (const [w, g] of KINDS) {
      if (x < w) {
        gen = g
        break
      }
      x -= w
    }
    const [name, files] = gen(r, v)
    const hybrid = r() < 0.05
    out.push({
      infohashV1: new Uint8Array(createHash('sha1').update(`bench:${seed}:${n}`).digest()),
      ...(hybrid
        ? { infohashV2: new Uint8Array(createHash('sha256').update(`bench:${seed}:${n}`).digest()) }
        : {}),
      name,
      files: files.map((f) =>
        hybrid && f.size > 16384
          ? {
              ...f,
              piecesRoot: new Uint8Array(
                createHash('sha256')
                  .update(`${n}:${f.path as string}`)
                  .digest(),
              ),
            }
          : f,
      ),
      pieceLength: 2 ** int(r, 15, 24),
      source: 'bench',
      seenAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(r() * 300 * 86_400_000)),
    })
  }
  return out
}
