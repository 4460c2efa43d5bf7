// Under CI=true a libtorrent interop test that cannot run must fail the run, naming what is missing,
// instead of skipping to a green exit. This runs the two interop files in a child vitest with
// `unshare` off its PATH (so one prerequisite is surely missing) and checks the child fails and says why.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..')
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
const emptyPath = mkdtempSync(join(tmpdir(), 'bbmesh-nopath-'))
afterAll(() => rmSync(emptyPath, { recursive: true, force: true }))

function childEnv(ci: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { HOME: process.env.HOME, PATH: emptyPath }
  if (ci) env.CI = 'true'
  return env
}

function runInterop(ci: boolean) {
  return spawnSync(
    process.execPath,
    [vitestBin, 'run', 'test/libtorrent.test.ts', 'test/pieces-libtorrent.test.ts'],
    { cwd: pkg, env: childEnv(ci), encoding: 'utf8', timeout: 60_000 },
  )
}

it('a missing prerequisite fails the interop files under CI=true and only skips them otherwise', () => {
  const ci = runInterop(true)
  const out = ci.stdout + ci.stderr
  expect(ci.status, out).not.toBe(0)
  expect(out).toContain('libtorrent interop cannot run under CI: ')
  expect(out).toContain('libtorrent piece interop cannot run under CI: ')
  const local = runInterop(false)
  expect(local.status, local.stdout + local.stderr).toBe(0)
  expect(local.stdout + local.stderr).toContain('libtorrent interop skipped: ')
}, 120_000)
