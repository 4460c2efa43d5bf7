// Interop with libtorrent's DHT (Debian python3-libtorrent). Both sides run inside a loopback-only
// network namespace (`unshare -n`), so the child process runs our built package (dist/) there;
// this file starts it and checks what it reports. Skips, saying why, when something is missing;
// under CI=true that gap fails the run instead (test-support/libtorrent-prereqs.ts).
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { failUnderCiIfSkipped, libtorrentUnavailable } from '../../../test-support/libtorrent-prereqs.js'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..')

const why = libtorrentUnavailable(join(pkg, 'dist', 'index.js'), 'pnpm --filter @bbmesh/dht build')
failUnderCiIfSkipped('libtorrent DHT interop', why)

describe.skipIf(why !== undefined)('libtorrent DHT interop (loopback-only namespace)', () => {
  it('ping, announce/lookup, BEP 44 immutable+mutable and BEP 51 both ways', () => {
    const run = spawnSync(
      'unshare',
      ['-n', 'sh', '-c', 'ip link set lo up && exec node test/libtorrent/interop.mjs'],
      {
        cwd: pkg,
        timeout: 120_000,
        encoding: 'utf8',
      },
    )
    const results = new Map<string, Record<string, unknown>>(
      run.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { case: string; result: Record<string, unknown> })
        .map((l) => [l.case, l.result]),
    )
    expect(results.size, run.stderr).toBe(10)
    expect(results.get('ping')).toEqual({ ok: true })
    // libtorrent answers an unknown method with an error (203 in 2.0.8), never silence.
    expect(results.get('unknown-method-from-libtorrent')!.krpcCode).toBeTypeOf('number')
    const ann = results.get('libtorrent-announce-our-lookup') as {
      observed: { port: number; expected: number }
      found: boolean
    }
    expect(ann.observed.port).toBe(ann.observed.expected)
    expect(ann.found).toBe(true)
    expect(results.get('our-announce-libtorrent-lookup')).toMatchObject({ found: true })
    expect(results.get('libtorrent-put-our-get-immutable')).toMatchObject({ v: 'from libtorrent' })
    expect(results.get('our-put-libtorrent-get-immutable')).toEqual({ v: 'from bbmesh' })
    expect(results.get('our-put-libtorrent-get-mutable')).toEqual({ v: 'mutable from bbmesh', seq: 7 })
    expect(results.get('libtorrent-put-our-get-mutable')).toMatchObject({
      v: 'mutable from libtorrent',
      seq: 1,
    })
    expect(results.get('our-sample-of-libtorrent')).toMatchObject({ hasIh2: true, interval: 21600 })
    expect(results.get('libtorrent-sample-of-ours')).toEqual({ num: 1, hasIh1: true })
  })
})
