// File-level cross-seeding against libtorrent (Debian python3-libtorrent 2.0): a member that only ever
// had torrent A (v2, 16 KiB pieces, on disk) serves torrent B (v2 at the same piece length, and hybrid
// at 32 KiB, so B's piece layer comes from hashing A's bytes) to a libtorrent leecher of B that wants
// only the file B shares with A. libtorrent checks every piece against B's own hashes (piece layers
// from the .torrent, v1 SHA-1 for the hybrid); by magnet, the v2 B's metadata and the shared file's
// piece layer come from us (BEP 9, BEP 52 hash requests). Both sides run inside a loopback-only network namespace
// (`unshare -n`), as in pieces-libtorrent.test.ts. Skips, saying why, when libtorrent, unshare or dist/
// is missing (under CI=true that fails instead: test-support/libtorrent-prereqs.ts).
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { failUnderCiIfSkipped, libtorrentUnavailable } from '../../../test-support/libtorrent-prereqs.js'
import { makeTorrent, type TestTorrent } from './helpers/pieces-torrent.js'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..')

const why = libtorrentUnavailable(join(pkg, 'dist', 'pieces', 'index.js'), 'pnpm --filter @bbmesh/wire build')
failUnderCiIfSkipped('libtorrent cross-seed interop', why)

// libtorrent leecher of B (.torrent or magnet): only shared.bin wanted (priority 0 for the rest, pads included).
const PY = String.raw`
import json, sys, time
import libtorrent as lt

ses = lt.session({
    'listen_interfaces': '127.0.0.1:0', 'enable_dht': False, 'enable_lsd': False,
    'enable_upnp': False, 'enable_natpmp': False, 'dht_bootstrap_nodes': '',
    'allow_multiple_connections_per_ip': True,
    'alert_mask': lt.alert.category_t.all_categories,
    # We speak neither MSE nor uTP: without these libtorrent first tries both and waits.
    'out_enc_policy': int(lt.enc_policy.pe_disabled),
    'enable_outgoing_utp': False, 'enable_incoming_utp': False,
})
if sys.argv[1].startswith('magnet:'):
    # Metadata from us (BEP 9), so no piece layers: libtorrent asks us for them (BEP 52 hash requests).
    p = lt.parse_magnet_uri(sys.argv[1])
else:
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(sys.argv[1])
p.save_path = sys.argv[2]
p.flags &= ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
h = ses.add_torrent(p)
host, port = sys.argv[3].split(':')
hash_failed = 0
connected = False
want = None
end = time.time() + 40
while time.time() < end:
    if not connected and h.status().state not in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data):
        h.connect_peer((host, int(port)))
        connected = True
    if want is None and h.status().has_metadata:
        fs = h.torrent_file().files()
        want = [i for i in range(fs.num_files()) if fs.file_path(i).endswith('shared.bin')]
        h.prioritize_files([4 if i in want else 0 for i in range(fs.num_files())])
    for a in ses.pop_alerts():
        if a.what() == 'hash_failed':
            hash_failed += 1
    if want is not None and all(h.file_progress()[i] == fs.file_size(i) for i in want):
        break
    time.sleep(0.05)
st = h.status()
print(json.dumps({
    'done': [h.file_progress()[i] == fs.file_size(i) for i in want or []],
    'files': fs.num_files() if want is not None else 0, 'hash_failed': hash_failed, 'failed_bytes': st.total_failed_bytes,
    'downloaded': st.total_payload_download, 'state': str(st.state),
}), flush=True)
`

// Our side, inside the namespace with the built package: seed A from disk, cross-seed B from A's files.
const NODE = String.raw`
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
const run = promisify(execFile)
const { CrossSeedStorage, DiskStorage, PieceServer, fileSourcesOf, layoutFromInfo } = await import(process.env.WIRE_DIST)
const [base, py] = process.argv.slice(2)
const infoA = readFileSync(join(base, 'a.info'))
const layoutA = layoutFromInfo(infoA)
const storageA = new DiskStorage(layoutA, join(base, 'a'), true)
for (const [version, magnet] of [['v2', false], ['hybrid', false], ['v2', true]]) {
  const infoB = readFileSync(join(base, 'b-' + version + '.info'))
  const source = magnet
    ? 'magnet:?xt=urn:btmh:1220' + createHash('sha256').update(infoB).digest('hex')
    : join(base, 'b-' + version + '.torrent')
  const storage = await CrossSeedStorage.open(layoutFromInfo(infoB), fileSourcesOf(storageA))
  const server = new PieceServer()
  server.add(infoA, storageA)
  server.add(infoB, storage, { pieceLayers: storage.pieceLayers })
  const { port } = await server.listen(0, '127.0.0.1')
  let leech
  try {
    const into = join(base, 'leech-' + version + (magnet ? '-magnet' : ''))
    const { stdout } = await run('/usr/bin/python3', [py, source, into, '127.0.0.1:' + port], { encoding: 'utf8', timeout: 60000 })
    const got = readFileSync(join(into, 'test', 'shared.bin'))
    leech = { ...JSON.parse(stdout), same: got.equals(readFileSync(join(base, 'a', 'shared.bin'))) }
  } catch (err) {
    leech = { error: String(err.message).slice(0, 400) }
  } finally {
    await server.close()
  }
  console.log(JSON.stringify({ version, magnet, files: storage.files.map((f) => [f.path, f.state]), leech, server: server.stats, storage: storage.stats }))
}
`

const shared = randomBytes(150_000)
// A: v2 at 16 KiB pieces; B: b-only.bin (which the member never had) and the same shared.bin.
const a = makeTorrent(
  [
    ['a-only.bin', randomBytes(40_000)],
    ['shared.bin', shared],
  ],
  'v2',
  16384,
)
const torrentB = (version: 'v2' | 'hybrid', pieceLength: number): TestTorrent =>
  makeTorrent(
    [
      ['b-only.bin', randomBytes(70_000)],
      ['shared.bin', shared],
    ],
    version,
    pieceLength,
  )

/** A .torrent: the info dict byte-exact, then BEP 52 piece layers (keys are raw 32-byte roots, sorted). */
function dotTorrent(t: TestTorrent): Buffer {
  const str = (b: Uint8Array): Buffer => Buffer.concat([Buffer.from(`${b.length}:`), b])
  const layers = [...t.pieceLayers].sort(([x], [y]) => (x < y ? -1 : 1))
  return Buffer.concat([
    Buffer.from('d4:info'),
    t.info,
    Buffer.from('12:piece layersd'),
    ...layers.flatMap(([root, layer]) => [str(Buffer.from(root, 'hex')), str(layer)]),
    Buffer.from('ee'),
  ])
}

const base = mkdtempSync(join(tmpdir(), 'bbmesh-xseed-lt-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

describe.skipIf(why !== undefined)('cross-seeding to libtorrent (loopback-only namespace)', () => {
  it("a libtorrent leecher of B completes the shared file from a member that only had A's data", () => {
    mkdirSync(join(base, 'a'))
    for (const [path, data] of a.files) writeFileSync(join(base, 'a', path), data)
    writeFileSync(join(base, 'a.info'), a.info)
    for (const [version, pl] of [
      ['v2', 16384],
      ['hybrid', 32768],
    ] as const) {
      const b = torrentB(version, pl)
      writeFileSync(join(base, `b-${version}.info`), b.info)
      writeFileSync(join(base, `b-${version}.torrent`), dotTorrent(b))
    }
    writeFileSync(join(base, 'lt_leech.py'), PY)
    writeFileSync(join(base, 'cross-seed.mjs'), NODE)
    const run = spawnSync(
      'unshare',
      [
        '-n',
        'sh',
        '-c',
        `ip link set lo up && exec node cross-seed.mjs ${base} ${join(base, 'lt_leech.py')}`,
      ],
      {
        cwd: base,
        timeout: 150_000,
        encoding: 'utf8',
        env: { ...process.env, WIRE_DIST: join(pkg, 'dist', 'index.js') },
      },
    )
    const log = `${run.stdout}\n${run.stderr}`
    if (process.env['BBMESH_INTEROP_LOG']) console.info(run.stdout)
    const lines = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, Record<string, unknown> | string | unknown[]>)
    expect(
      lines.map((l) => l['version']),
      log,
    ).toEqual(['v2', 'hybrid', 'v2'])
    for (const l of lines) {
      expect(l['files'], log).toEqual([
        ['b-only.bin', 'missing'],
        ['shared.bin', 'held'],
      ])
      // libtorrent has the whole shared file, byte-exact, and no piece failed its hash check.
      expect(l['leech'], log).toMatchObject({ done: [true], same: true, hash_failed: 0, failed_bytes: 0 })
      const server = l['server'] as Record<string, number>
      expect(server['piecesServed'], log).toBeGreaterThan(0)
      expect(server, log).toMatchObject({ protocolErrors: 0, verifyFailures: 0 })
      expect(l['storage'], log).toMatchObject({ verifyFailures: 0 })
    }
    // By magnet libtorrent took B's metadata from us and the shared file's piece layer by a BEP 52
    // hash request, answered from the layer we computed from A's bytes and checked against B's root.
    const magnet = lines.find((l) => l['magnet']) as Record<string, Record<string, number>>
    expect(magnet['server']?.['metadataPiecesServed'], log).toBe(1)
    expect(magnet['server']?.['hashRequestsServed'], log).toBeGreaterThanOrEqual(1)
  }, 160_000)
})
