// Interop with libtorrent (Debian python3-libtorrent). Both sides run inside a loopback-only network
// namespace (`unshare -n`), so the child process runs our built package (dist/) there; this file only
// starts it and checks what it reports. Skips, saying why, when libtorrent, unshare or dist/ is missing
// (under CI=true that fails instead: test-support/libtorrent-prereqs.ts).
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { failUnderCiIfSkipped, libtorrentUnavailable } from '../../../test-support/libtorrent-prereqs.js'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..')

const why = libtorrentUnavailable(join(pkg, 'dist', 'index.js'), 'pnpm --filter @bbmesh/wire build')
failUnderCiIfSkipped('libtorrent interop', why)

interface Line {
  case: 'fetch-from-libtorrent' | 'serve-to-libtorrent'
  name: string
  result: Record<
    string,
    { version?: string; ok?: boolean; info_hash_v1?: string | null; info_hash_v2?: string | null }
  >
}

describe.skipIf(why !== undefined)('libtorrent interop (loopback-only namespace)', () => {
  it('fetches v1, v2, hybrid and large (37-piece) metadata from libtorrent and serves them to it', () => {
    const run = spawnSync(
      'unshare',
      ['-n', 'sh', '-c', 'ip link set lo up && exec node test/libtorrent/interop.mjs'],
      {
        cwd: pkg,
        timeout: 120_000,
        encoding: 'utf8',
      },
    )
    const lines = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line)
    expect(lines, run.stderr).toHaveLength(8)
    const get = (c: Line['case'], name: string) => lines.find((l) => l.case === c && l.name === name)!.result
    // On failure, show what the namespace run printed (libtorrent disconnect reasons, retries).
    const log = `${run.stdout}\n${run.stderr}`
    expect(get('fetch-from-libtorrent', 'debian-12.7.0-amd64-netinst'), log).toEqual({
      v1: { version: 'v1', bytes: 50578 },
    })
    expect(get('fetch-from-libtorrent', 'open-data-v2'), log).toEqual({ v2: { version: 'v2', bytes: 358 } })
    expect(get('fetch-from-libtorrent', 'open-data-hybrid'), log).toEqual({
      v1: { version: 'v1', bytes: 832 },
      v2: { version: 'v2', bytes: 832 },
    })
    // 37 BEP-9 pieces requested at once: libtorrent answers them all, and fetches them all from us.
    expect(get('fetch-from-libtorrent', 'large-v1'), log).toEqual({ v1: { version: 'v1', bytes: 600075 } })
    expect(get('serve-to-libtorrent', 'large-v1')['v1'], log).toMatchObject({ ok: true, name: 'large.bin' })
    const deb = get('serve-to-libtorrent', 'debian-12.7.0-amd64-netinst')
    expect(deb['v1'], log).toMatchObject({
      ok: true,
      info_hash_v1: '1fcb8584dad7bd7b5a0ca9fca1504703d2098440',
    })
    const v2 = get('serve-to-libtorrent', 'open-data-v2')
    expect(v2['v2'], log).toMatchObject({
      ok: true,
      info_hash_v2: 'd9a39e2755465a09307a3cd1f08bdb07e642c84e2ef5ddf3623e7cef10350a60',
    })
    const hy = get('serve-to-libtorrent', 'open-data-hybrid')
    for (const k of ['v1', 'v2']) {
      expect(hy[k], log).toMatchObject({
        ok: true,
        info_hash_v1: '379ed595f0b7647e40b4be8e74b66ec0d5954a57',
        info_hash_v2: 'afaa76b0ddea1d2e1515d020bfaa6503c7478ca828d1ce794b23c6f9c9a5e2ec',
      })
    }
  }, 130_000)
})
