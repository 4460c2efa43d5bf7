import { describe, expect, it } from 'vitest'
import { classify } from '../../src/classify/classify.js'

const GB = 1024 ** 3
const MB = 1024 ** 2
const single = (name: string, size = GB) => ({ name, files: [{ path: name, size }] })

describe('classify', () => {
  it('reads TV episodes in scene and P2P spellings', () => {
    expect(classify(single('The.Expanse.S03E07.1080p.WEB-DL.DD5.1.H264-NTb.mkv'))).toMatchObject({
      kind: 'tv',
      category: 5000,
      subcategory: 5040,
      season: 3,
      episode: 7,
      resolution: 'hd',
    })
    expect(classify(single('Doctor Who (2005) - 4x10 - Midnight.avi', 350 * MB))).toMatchObject({
      kind: 'tv',
      subcategory: 5030,
      season: 4,
      episode: 10,
    })
    expect(classify(single('[SubsPlease] Frieren - S01E28 (2160p) [A1B2C3D4].mkv'))).toMatchObject({
      kind: 'tv',
      subcategory: 5045,
      season: 1,
      episode: 28,
    })
  })

  it('reads a season pack by its folder name and the bytes of its episodes', () => {
    const c = classify({
      name: 'Breaking.Bad.S02.720p.BluRay.x264-DEMAND',
      files: [
        ...Array.from({ length: 13 }, (_, i) => ({
          path: `Breaking.Bad.S02.720p.BluRay.x264-DEMAND/Breaking.Bad.S02E${String(i + 1).padStart(2, '0')}.720p.BluRay.x264-DEMAND.mkv`,
          size: 1.1 * GB,
        })),
        { path: 'Breaking.Bad.S02.720p.BluRay.x264-DEMAND/demand.nfo', size: 4_000 },
        { path: 'Breaking.Bad.S02.720p.BluRay.x264-DEMAND/Sample/sample.mkv', size: 40 * MB },
      ],
    })
    expect(c).toMatchObject({ kind: 'tv', category: 5000, subcategory: 5040, season: 2 })
    expect(c.episode).toBeUndefined()
    const named = classify({
      name: 'Twin Peaks Season 1 Complete',
      files: [{ path: 'Twin Peaks Season 1 Complete/e01.mp4', size: GB }],
    })
    expect(named).toMatchObject({ kind: 'tv', season: 1 })
    const whole = classify({
      name: 'Firefly The Complete Series 720p',
      files: [{ path: 'x/e1.mkv', size: GB }],
    })
    expect(whole).toMatchObject({ kind: 'tv', subcategory: 5040 })
    expect(whole.season).toBeUndefined()
  })

  it('reads movies by their release year and resolution', () => {
    expect(classify(single('Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP.mkv', 30 * GB))).toMatchObject({
      kind: 'movie',
      category: 2000,
      subcategory: 2045,
      year: 2024,
    })
    // The last plausible year is the release year, not the one in the title.
    expect(classify(single('2001.A.Space.Odyssey.1968.1080p.BluRay.x264.mkv'))).toMatchObject({
      kind: 'movie',
      subcategory: 2040,
      year: 1968,
    })
    expect(
      classify({
        name: 'Casablanca (1942) [DVDRip]',
        files: [
          { path: 'Casablanca (1942) [DVDRip]/Casablanca.avi', size: 700 * MB },
          { path: 'Casablanca (1942) [DVDRip]/Casablanca.srt', size: 90_000 },
        ],
      }),
    ).toMatchObject({ kind: 'movie', subcategory: 2030, year: 1942 })
  })

  it('keeps video without a season or a year apart from movies', () => {
    expect(classify(single('lecture-recording-linear-algebra-week3.mp4', 800 * MB))).toMatchObject({
      kind: 'video',
      category: 8000,
    })
    // Resolution tokens are not years: 1080 and 2160 stay out of range checks.
    expect(classify(single('drone-footage-2160p.mov')).year).toBeUndefined()
  })

  it('reads audio, lossless and audiobooks', () => {
    const album = (ext: string) => ({
      name: 'Pink Floyd - The Dark Side of the Moon (1973) [FLAC 24-96]',
      files: [
        ...['Speak to Me', 'Breathe', 'Time'].map((t, i) => ({
          path: `Pink Floyd - The Dark Side of the Moon (1973)/${String(i + 1).padStart(2, '0')} - ${t}.${ext}`,
          size: 60 * MB,
        })),
        { path: 'Pink Floyd - The Dark Side of the Moon (1973)/cover.jpg', size: 2 * MB },
      ],
    })
    expect(classify(album('flac'))).toMatchObject({
      kind: 'audio',
      category: 3000,
      subcategory: 3040,
      year: 1973,
    })
    expect(
      classify({
        name: 'Daft Punk - Discovery (2001) MP3 320kbps',
        files: [{ path: 'Daft Punk - Discovery/01 - One More Time.mp3', size: 12 * MB }],
      }),
    ).toMatchObject({ kind: 'audio', subcategory: 3010 })
    expect(classify(single('Andy Weir - Project Hail Mary (Unabridged).m4b', 600 * MB))).toMatchObject({
      kind: 'audio',
      subcategory: 3030,
    })
  })

  it('reads software by installer and image extensions', () => {
    expect(classify(single('ubuntu-24.04.1-desktop-amd64.iso', 6 * GB))).toMatchObject({
      kind: 'software',
      category: 4000,
      subcategory: 4020,
    })
    expect(
      classify({
        name: 'GIMP 2.10.38 Setup',
        files: [
          { path: 'GIMP 2.10.38 Setup/gimp-2.10.38-setup.exe', size: 300 * MB },
          { path: 'GIMP 2.10.38 Setup/readme.txt', size: 1_000 },
        ],
      }),
    ).toMatchObject({ kind: 'software', subcategory: 4000 })
    expect(classify(single('Firefox 131.0.dmg', 130 * MB))).toMatchObject({ subcategory: 4030 })
    expect(classify(single('NewPipe_v0.27.2.apk', 10 * MB))).toMatchObject({ subcategory: 4070 })
  })

  it('reads e-books and comics', () => {
    expect(
      classify({
        name: 'Humble Bundle - Programming Books',
        files: ['SICP.epub', 'TAOCP Vol 1.pdf', 'Rust in Action.mobi'].map((f) => ({
          path: `books/${f}`,
          size: 5 * MB,
        })),
      }),
    ).toMatchObject({ kind: 'ebook', category: 7000, subcategory: 7020 })
    expect(classify(single('Saga 001 (2012) (Digital).cbz', 50 * MB))).toMatchObject({
      kind: 'ebook',
      subcategory: 7030,
      year: 2012,
    })
  })

  it('falls back to other when no file says anything', () => {
    expect(
      classify({
        name: 'wikipedia-dump-enwiki-20240601',
        files: [{ path: 'wikipedia-dump-enwiki-20240601/enwiki.xml.bz2', size: 20 * GB }],
      }),
    ).toMatchObject({ kind: 'other', category: 8000, subcategory: 8010 })
    expect(classify({ name: 'backup', files: [] })).toMatchObject({ kind: 'other' })
  })

  it('lets the bytes decide, not the count of files', () => {
    // One big film beside 40 small subtitle/screenshot files: still a movie.
    const c = classify({
      name: 'Alien.1979.Directors.Cut.1080p',
      files: [
        { path: 'a/Alien.1979.mkv', size: 10 * GB },
        ...Array.from({ length: 40 }, (_, i) => ({ path: `a/scr/${i}.pdf`, size: 100_000 })),
      ],
    })
    expect(c).toMatchObject({ kind: 'movie', year: 1979 })
  })
})
