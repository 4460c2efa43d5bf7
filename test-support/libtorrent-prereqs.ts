// What the libtorrent interop tests need (Debian python3-libtorrent, `unshare -n`, a built dist/).
// Outside CI a missing prerequisite skips them, saying why; under CI=true a skip would let the run
// pass without the interop it claims, so the same gap becomes a failing test naming what is missing.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
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

/**
 * Runs a package's interop test files in a child vitest whose PATH is empty (so `unshare` is surely
 * missing), with or without CI=true: what the CI guard above must turn into a failure.
 */
export function runInteropWithoutUnshare(
  pkgDir: string,
  files: string[],
  ci: boolean,
): { status: number | null; output: string } {
  const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
  const emptyPath = mkdtempSync(join(tmpdir(), 'bbmesh-nopath-'))
  try {
    const env: NodeJS.ProcessEnv = { HOME: process.env.HOME, PATH: emptyPath, ...(ci && { CI: 'true' }) }
    const r = spawnSync(process.execPath, [vitestBin, 'run', ...files], {
      cwd: pkgDir,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    })
    return { status: r.status, output: r.stdout + r.stderr }
  } finally {
    rmSync(emptyPath, { recursive: true, force: true })
  }
}
