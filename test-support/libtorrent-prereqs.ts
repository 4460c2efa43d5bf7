// What the libtorrent interop tests need (Debian python3-libtorrent, `unshare -n`, a built dist/).
// Outside CI a missing prerequisite skips them, saying why; under CI=true a skip would let the run
// pass without the interop it claims, so the same gap becomes a failing test naming what is missing.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, it } from 'vitest'

export function libtorrentUnavailable(distFile: string, buildHint: string): string | undefined {
  if (spawnSync('/usr/bin/python3', ['-c', 'import libtorrent'], { timeout: 10_000 }).status !== 0)
    return 'python3-libtorrent not installed (apt-get install python3-libtorrent)'
  if (spawnSync('unshare', ['-n', 'true'], { timeout: 10_000 }).status !== 0)
    return 'unshare -n not permitted'
  if (!existsSync(distFile)) return `dist/ not built (${buildHint})`
  return undefined
}

/** Registers a failing test under CI=true when `why` is set; outside CI only warns. */
export function failUnderCiIfSkipped(suite: string, why: string | undefined): void {
  if (why === undefined) return
  if (process.env.CI !== 'true') {
    console.warn(`${suite} skipped: ${why}`)
    return
  }
  describe(`${suite} prerequisites (CI=true)`, () => {
    it('are present', () => {
      throw new Error(`${suite} cannot run under CI: ${why}`)
    })
  })
}
