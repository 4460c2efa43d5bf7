// Under CI=true a libtorrent interop test that cannot run must fail the run, naming what is missing,
// instead of skipping to a green exit. This runs the interop files in a child vitest with
// `unshare` off its PATH (so one prerequisite is surely missing) and checks the child fails and says why.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { runInteropWithoutUnshare } from '../../../test-support/libtorrent-prereqs.js'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..')
const files = [
  'test/libtorrent.test.ts',
  'test/pieces-libtorrent.test.ts',
  'test/cross-seed-libtorrent.test.ts',
]

it('a missing prerequisite fails the interop files under CI=true and only skips them otherwise', () => {
  const ci = runInteropWithoutUnshare(pkg, files, true)
  expect(ci.status, ci.output).not.toBe(0)
  expect(ci.output).toContain('libtorrent interop cannot run under CI: ')
  expect(ci.output).toContain('libtorrent piece interop cannot run under CI: ')
  expect(ci.output).toContain('libtorrent cross-seed interop cannot run under CI: ')
  const local = runInteropWithoutUnshare(pkg, files, false)
  expect(local.status, local.output).toBe(0)
  expect(local.output).toContain('libtorrent interop skipped: ')
}, 120_000)
