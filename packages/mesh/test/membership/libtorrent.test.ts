// Membership with libtorrent's DHT in the substrate (Debian python3-libtorrent). libtorrent ignores
// its IP filter and has public bootstrap defaults, so the whole run happens inside a loopback-only
// network namespace (`unshare -n`) as a child process on our built dist/. Under CI a missing
// prerequisite fails instead of skipping.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { failUnderCiIfSkipped, libtorrentUnavailable } from '../../../../test-support/libtorrent-prereqs.js'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '../..')
const why = libtorrentUnavailable(join(pkg, 'dist', 'index.js'), 'pnpm --filter @bbmesh/mesh build')
failUnderCiIfSkipped('libtorrent membership interop', why)

describe('membership with libtorrent in the DHT (loopback-only namespace)', () => {
  it.skipIf(why !== undefined)(
    '6 members, half joining through libtorrent alone, converge; libtorrent keeps storing',
    () => {
      const run = spawnSync(
        'unshare',
        ['-n', 'sh', '-c', 'ip link set lo up && exec node test/membership/libtorrent/members.mjs'],
        { cwd: pkg, timeout: 120_000, encoding: 'utf8' },
      )
      const results = new Map<string, Record<string, unknown>>(
        run.stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { case: string; result: Record<string, unknown> })
          .map((l) => [l.case, l.result]),
      )
      expect(results.get('error'), run.stderr).toBeUndefined()
      expect(results.get('converged'), run.stderr).toMatchObject({
        converged: true,
        members: [5, 5, 5, 5, 5, 5],
      })
      // libtorrent found members on the rendezvous hash like any other peers of any swarm...
      expect(results.get('libtorrent-sees-rendezvous-peers')!.found as number).toBeGreaterThanOrEqual(1)
      // ...and still stores and serves BEP 44 items while the community runs.
      expect(results.get('libtorrent-still-stores')).toMatchObject({ v: 'still ordinary' })
      expect(results.get('libtorrent-still-stores')!.stored as number).toBeGreaterThanOrEqual(1)
      expect(results.get('stock-errors')).toEqual({ errors: [] })
    },
    150_000,
  )
})
