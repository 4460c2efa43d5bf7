// The quality checks on their own: the fake patterns are flagged, the genuine shapes next to them are not.
import { describe, expect, it } from 'vitest'
import { assessQuality, decodeFlags, encodeFlags } from '../../src/search/quality.js'

const film = 'Big.Movie.2024.1080p.BluRay.x264'
const GB = 1024 ** 3

describe('assessQuality', () => {
  it('flags a film whose only big file is a program, not a film or a real installer', () => {
    const exe = {
      name: film,
      totalSize: 2 * GB,
      files: [{ path: `${film}.exe`, size: 2 * GB }],
      complete: true,
    }
    expect(assessQuality(exe)).toEqual(['executable'])
    const real = { ...exe, files: [{ path: `${film}.mkv`, size: 2 * GB }] }
    expect(assessQuality(real)).toEqual([])
    // A program named as one is what it says.
    expect(assessQuality({ ...exe, name: 'SomeTool 3.2 Setup' })).toEqual([])
    // A film with a small codec installer beside it: the film dominates.
    const beside = {
      ...exe,
      files: [
        { path: `${film}.mkv`, size: 2 * GB },
        { path: 'codec.exe', size: 1e6 },
      ],
    }
    expect(assessQuality(beside)).toEqual([])
  })

  it('flags password-archive bait and a tiny "1080p" release', () => {
    const bait = {
      name: film,
      totalSize: 800e6,
      files: [
        { path: `${film}/${film}.rar`, size: 800e6 },
        { path: `${film}/Password.txt`, size: 120 },
      ],
      complete: true,
    }
    expect(assessQuality(bait)).toEqual(['password-bait'])
    const tiny = { name: film, totalSize: 3e6, files: [{ path: `${film}.mkv`, size: 3e6 }], complete: true }
    expect(assessQuality(tiny)).toEqual(['tiny-video'])
  })

  it('does not judge from a partial file list when the known files are not most of the bytes', () => {
    const partial = {
      name: film,
      totalSize: 10 * GB,
      files: [{ path: 'sample.exe', size: 1e6 }],
      complete: false,
    }
    expect(assessQuality(partial)).toEqual([])
  })

  it('round-trips flags as wire codes and ignores unknown codes', () => {
    expect(decodeFlags(encodeFlags(['tiny-video', 'executable']))).toEqual(['tiny-video', 'executable'])
    expect(decodeFlags([0, 0, 99])).toEqual(['executable'])
  })
})
