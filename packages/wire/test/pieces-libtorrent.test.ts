// Piece transfer against libtorrent (Debian python3-libtorrent 2.0), the independent implementation:
// we download hybrid and v2-only torrents that libtorrent created and seeds (v2-only also from the info
// dict alone, fetching the piece layers by BEP 52 hash requests), and libtorrent downloads them from
// our PieceServer (from the .torrent, and by magnet with the metadata from us too, when it asks us
// for the piece layers by hash requests). Everything runs inside a loopback-only network namespace (`unshare -n`):
// this file writes two small scripts to a temp dir and runs the Node one there, which drives the
// Python one. Skips, saying why, when libtorrent, unshare or dist/ is missing
// (under CI=true that fails instead: test-support/libtorrent-prereqs.ts).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { failUnderCiIfSkipped, libtorrentUnavailable } from '../../../test-support/libtorrent-prereqs.js'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..')

const why = libtorrentUnavailable(join(pkg, 'dist', 'pieces', 'index.js'), 'pnpm --filter @bbmesh/wire build')
failUnderCiIfSkipped('libtorrent piece interop', why)

// libtorrent side: make a torrent (hybrid or v2-only, 16 or 32 KiB pieces), seed it, or leech it from one peer.
const PY = String.raw`
import json, os, sys, time
import libtorrent as lt

def session():
    return lt.session({
        'listen_interfaces': '127.0.0.1:0', 'enable_dht': False, 'enable_lsd': False,
        'enable_upnp': False, 'enable_natpmp': False, 'dht_bootstrap_nodes': '',
        'allow_multiple_connections_per_ip': True,
        # We speak neither MSE nor uTP: without these libtorrent first tries both and waits.
        'out_enc_policy': int(lt.enc_policy.pe_disabled),
        'enable_outgoing_utp': False, 'enable_incoming_utp': False,
    })

def wait_state(h, states, secs):
    end = time.time() + secs
    while time.time() < end and h.status().state not in states:
        time.sleep(0.05)

mode = sys.argv[1]
if mode == 'make':
    base, version = sys.argv[2], sys.argv[3]
    root = os.path.join(base, 'payload')
    os.makedirs(os.path.join(root, 'sub'), exist_ok=True)
    for name, size in (('a.bin', 40000), ('sub/b.txt', 100), ('sub/c.bin', 70000)):
        with open(os.path.join(root, name), 'wb') as f:
            f.write(bytes((i * 31 + size) % 251 for i in range(size)))
    fs = lt.file_storage()
    lt.add_files(fs, root)
    flags = lt.create_torrent.v2_only if version.startswith('v2') else 0
    ct = lt.create_torrent(fs, 32768 if version.endswith('32k') else 16384, flags=flags)
    lt.set_piece_hashes(ct, base)
    path = os.path.join(base, version + '.torrent')
    with open(path, 'wb') as f:
        f.write(lt.bencode(ct.generate()))
    print(json.dumps({'torrent': path, 'root': root}), flush=True)
elif mode == 'seed':
    ses = session()
    h = ses.add_torrent({'ti': lt.torrent_info(sys.argv[2]), 'save_path': sys.argv[3]})
    wait_state(h, (lt.torrent_status.seeding,), 20)
    time.sleep(0.5)
    print(json.dumps({'port': ses.listen_port(), 'state': str(h.status().state)}), flush=True)
    while True:
        time.sleep(0.2)
else:
    ses = session()
    save = sys.argv[3]
    if sys.argv[2].startswith('magnet:'):
        # Metadata comes from the peer (BEP 9), so there are no piece layers: v1 hashes verify.
        params = lt.parse_magnet_uri(sys.argv[2])
        params.save_path = save
        params.flags &= ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
    else:
        params = {'ti': lt.torrent_info(sys.argv[2]), 'save_path': save}
    h = ses.add_torrent(params)
    wait_state(h, (lt.torrent_status.downloading_metadata, lt.torrent_status.downloading, lt.torrent_status.seeding), 10)
    host, port = sys.argv[4].split(':')
    h.connect_peer((host, int(port)))
    wait_state(h, (lt.torrent_status.seeding,), 30)
    st = h.status()
    print(json.dumps({'ok': st.is_seeding, 'progress': st.progress, 'downloaded': st.total_payload_download}), flush=True)
`

// Our side, run inside the namespace with the built package.
const NODE = String.raw`
import { spawn, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { execFile } from 'node:child_process'
const run = promisify(execFile)
const wire = await import(process.env.WIRE_DIST)
const { DiskStorage, PieceServer, downloadPieces, layoutFromInfo, rawDictValue, bdecode, filePath } = wire
const [base, py] = process.argv.slice(2)
for (const version of ['hybrid', 'v2', 'v2-32k']) {
  const dir = join(base, version)
  const made = JSON.parse(execFileSync('/usr/bin/python3', [py, 'make', dir, version], { encoding: 'utf8' }))
  const torrent = readFileSync(made.torrent)
  const info = rawDictValue(torrent, 'info')
  const layers = new Map()
  const pl = bdecode(torrent)['piece layers']
  if (pl) for (const [k, v] of Object.entries(pl)) layers.set(Buffer.from(k, 'latin1').toString('hex'), v)
  const layout = layoutFromInfo(info)
  const seed = spawn('/usr/bin/python3', [py, 'seed', made.torrent, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise((r) => createInterface({ input: seed.stdout }).once('line', r))
  const { port } = JSON.parse(line)
  const fetch = async (pieceLayers) => {
    try {
      const res = await downloadPieces({ info, peers: [{ host: '127.0.0.1', port }], pieceLayers, timeoutMs: 20000 })
      const same = layout.files.filter((f) => !f.pad && f.length > 0).every((f) =>
        Buffer.from(res.storage.file(filePath(f))).equals(readFileSync(join(made.root, filePath(f)))))
      const layersMatch = [...layers].every(([k, v]) => Buffer.from(res.pieceLayers.get(k) ?? []).equals(v))
      return { ok: same, bytes: res.bytesFetched, pieces: res.piecesFetched, bad: res.badPieces, hashesFetched: res.hashesFetched, badHashes: res.badHashes, layersMatch }
    } catch (err) {
      return { ok: false, error: err.message }
    }
  }
  let fetched, fetchedNoLayers
  try {
    fetched = await fetch(layers)
    // From the info dict alone (as after a magnet): v2-only piece layers come by BEP 52 hash requests.
    if (version !== 'hybrid') fetchedNoLayers = await fetch(undefined)
  } finally {
    seed.kill('SIGKILL')
  }
  const server = new PieceServer()
  server.add(info, new DiskStorage(layout, made.root, true))
  const { port: ours } = await server.listen(0, '127.0.0.1')
  // Asynchronously: our server must keep running while libtorrent leeches from it.
  const leech = async (source, into) => {
    const before = server.stats
    try {
      const { stdout } = await run('/usr/bin/python3', [py, 'leech', source, join(dir, into), '127.0.0.1:' + ours], { encoding: 'utf8', timeout: 60000 })
      const after = server.stats
      return { ...JSON.parse(stdout), piecesServed: after.piecesServed - before.piecesServed, metadataPiecesServed: after.metadataPiecesServed - before.metadataPiecesServed, hashRequestsServed: after.hashRequestsServed - before.hashRequestsServed, hashRequestsRejected: after.hashRequestsRejected - before.hashRequestsRejected, v2Upgrades: after.v2Upgrades - before.v2Upgrades }
    } catch (err) {
      return { ok: false, error: String(err.message).slice(0, 300) }
    }
  }
  const served = await leech(made.torrent, 'leech')
  // By magnet: libtorrent takes the metadata from us too (BEP 9), so it has no piece layers; for a
  // v2-only torrent it asks us for them with BEP 52 hash requests.
  const magnet = version === 'hybrid'
    ? 'magnet:?xt=urn:btih:' + Buffer.from(layout.infoHash).toString('hex')
    : 'magnet:?xt=urn:btmh:1220' + createHash('sha256').update(info).digest('hex')
  const servedMagnet = await leech(magnet, 'leech-magnet')
  await server.close()
  console.log(JSON.stringify({ version, infoHash: Buffer.from(layout.infoHash).toString('hex'), layerCount: layers.size, fetched, fetchedNoLayers, served, servedMagnet, payload: layout.files.filter((f) => !f.pad).reduce((n, f) => n + f.length, 0) }))
}
`

const base = mkdtempSync(join(tmpdir(), 'bbmesh-pieces-lt-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

describe.skipIf(why !== undefined)('piece transfer with libtorrent (loopback-only namespace)', () => {
  it('downloads hybrid and v2-only torrents from a libtorrent seed and serves them to a libtorrent leecher', () => {
    writeFileSync(join(base, 'lt_pieces.py'), PY)
    writeFileSync(join(base, 'interop.mjs'), NODE)
    const run = spawnSync(
      'unshare',
      ['-n', 'sh', '-c', `ip link set lo up && exec node interop.mjs ${base} ${join(base, 'lt_pieces.py')}`],
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
      .map((l) => JSON.parse(l) as Record<string, Record<string, unknown> | string | number>)
    expect(
      lines.map((l) => l['version']),
      log,
    ).toEqual(['hybrid', 'v2', 'v2-32k'])
    for (const l of lines) {
      // Pads are never fetched: exactly the payload crosses the wire, every piece verified.
      expect(l['fetched'], log).toMatchObject({ ok: true, bytes: l['payload'], bad: 0 })
      expect(l['served'], log).toMatchObject({ ok: true, progress: 1 })
      expect((l['served'] as Record<string, number>)['piecesServed'], log).toBeGreaterThan(0)
    }
    for (const l of lines) {
      expect(l['servedMagnet'], log).toMatchObject({ ok: true, progress: 1, metadataPiecesServed: 1 })
      expect((l['servedMagnet'] as Record<string, number>)['piecesServed'], log).toBeGreaterThan(0)
    }
    // libtorrent, knowing the hybrid's v2 hash from the .torrent, sets the BEP 52 bit on its v1
    // handshake; we answer with the v2 hash and the download goes on in v2 (still complete above).
    const hybrid = lines.find((l) => l['version'] === 'hybrid') as Record<string, Record<string, number>>
    expect(hybrid['served']?.['v2Upgrades'], log).toBeGreaterThanOrEqual(1)
    for (const l of lines.filter((x) => x['version'] !== 'hybrid')) {
      // Each v2-only torrent has two files larger than a piece: two piece layers.
      expect(l['layerCount'], log).toBe(2)
      // Our downloader, given only the info dict, got both piece layers from libtorrent and verified them.
      expect(l['fetchedNoLayers'], log).toMatchObject({
        ok: true,
        bytes: l['payload'],
        bad: 0,
        badHashes: 0,
        hashesFetched: 2,
        layersMatch: true,
      })
      // libtorrent, given only the magnet, asked us for the piece layers and took our answers.
      expect((l['servedMagnet'] as Record<string, number>)['hashRequestsServed'], log).toBeGreaterThan(0)
      expect(l['servedMagnet'], log).toMatchObject({ hashRequestsRejected: 0 })
    }
  }, 160_000)
})
