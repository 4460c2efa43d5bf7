// Under CI=true a libtorrent interop test that cannot run must fail the run, naming what is missing,
// instead of skipping to a green exit. This runs the DHT interop file in a child vitest with
// `unshare` off its PATH (so one prerequisite is surely missing) and checks the child fails and says why.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { runInteropWithoutUnshare } from '../../../test-support/libtorrent-prereqs.js'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..')
const files = ['test/libtorrent.test.ts']

it('a missing prerequisite fails the DHT interop file under CI=true and only skips it otherwise', () => {
  const ci = runInteropWithoutUnshare(pkg, files, true)
  expect(ci.status, ci.output).not.toBe(0)
  expect(ci.output).toContain('libtorrent DHT interop cannot run under CI: ')
  const local = runInteropWithoutUnshare(pkg, files, false)
  expect(local.status, local.output).toBe(0)
  expect(local.output).toContain('libtorrent DHT interop skipped: ')
}, 120_000)
