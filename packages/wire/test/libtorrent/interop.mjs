// Runs inside `unshare -n` (loopback only), both sides in the namespace: our built package against
// libtorrent (lt_peer.py). Prints one JSON line per case; the vitest file checks them.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MetadataServer, MetadataStore, bencode, dict, fetchMetadata } from '../../dist/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const script = join(here, 'lt_peer.py')
const repoFixtures = join(here, '..', '..', '..', '..', 'fixtures', 'torrents')
const fixtures = mkdtempSync(join(tmpdir(), 'bbmesh-lt-'))
for (const name of ['debian-12.7.0-amd64-netinst', 'open-data-v2', 'open-data-hybrid']) {
  writeFileSync(join(fixtures, `${name}.torrent`), readFileSync(join(repoFixtures, `${name}.torrent`)))
}
// A v1 torrent whose info dict spans many BEP-9 pieces (30,000 piece hashes: about 600 KB, 37 pieces).
const pieces = 30_000
const bigInfo = dict({
  name: Buffer.from('large.bin'),
  'piece length': 16384,
  length: pieces * 16384,
  pieces: randomBytes(pieces * 20),
})
writeFileSync(join(fixtures, 'large-v1.torrent'), bencode(dict({ info: bigInfo })))

function python(args) {
  const child = spawn('/usr/bin/python3', [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  const firstLine = new Promise((resolve, reject) => {
    let buf = ''
    child.stdout.on('data', (d) => {
      buf += d
      const nl = buf.indexOf('\n')
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)))
    })
    child.on('exit', (code) => reject(new Error(`lt_peer exited ${code}`)))
  })
  return { child, firstLine }
}

async function fetchFromLibtorrent(name) {
  const torrent = readFileSync(join(fixtures, `${name}.torrent`))
  const hashes = new MetadataStore().addTorrent(torrent)
  const { child, firstLine } = python(['seed', join(fixtures, `${name}.torrent`)])
  try {
    const { port } = await firstLine
    const out = {}
    for (const [kind, ih] of Object.entries(hashes)) {
      // libtorrent may still drop connections for a moment after the torrent starts (longer on a
      // loaded machine): retry a few times, half a second apart.
      let r
      for (let attempt = 1; !r; attempt++) {
        try {
          r = await fetchMetadata({ infoHash: ih, peers: [{ host: '127.0.0.1', port }], timeoutMs: 15000 })
        } catch (err) {
          console.error(`attempt ${attempt} ${name} ${kind}: ${JSON.stringify(err.failures ?? err.message)}`)
          if (attempt === 6) throw err
          await new Promise((res) => setTimeout(res, 500))
        }
      }
      out[kind] = { version: r.version, bytes: r.info.length }
    }
    return out
  } finally {
    child.kill()
  }
}

async function serveToLibtorrent(name) {
  const store = new MetadataStore()
  const hashes = store.addTorrent(readFileSync(join(fixtures, `${name}.torrent`)))
  const server = new MetadataServer({ lookup: store })
  const { port } = await server.listen(0, '127.0.0.1')
  try {
    const out = {}
    for (const [kind, ih] of Object.entries(hashes)) {
      const uri =
        kind === 'v1'
          ? `magnet:?xt=urn:btih:${ih.toString('hex')}`
          : `magnet:?xt=urn:btmh:1220${ih.toString('hex')}`
      const { child, firstLine } = python(['fetch', uri, `127.0.0.1:${port}`])
      out[kind] = await firstLine.finally(() => child.kill())
    }
    return out
  } finally {
    await server.close()
  }
}

const cases = ['debian-12.7.0-amd64-netinst', 'open-data-v2', 'open-data-hybrid', 'large-v1']
for (const name of cases) {
  const fetched = await fetchFromLibtorrent(name).catch((e) => ({
    error: String(e.message ?? e),
    failures: e.failures,
  }))
  console.log(JSON.stringify({ case: 'fetch-from-libtorrent', name, result: fetched }))
  const served = await serveToLibtorrent(name).catch((e) => ({ error: String(e.message ?? e) }))
  console.log(JSON.stringify({ case: 'serve-to-libtorrent', name, result: served }))
}
