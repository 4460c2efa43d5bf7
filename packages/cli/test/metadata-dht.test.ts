// `bbmesh metadata fetch` without --peer (DHT peer finding) and `bbmesh metadata serve` from the index
// and with --announce: the built binary as child processes, a loopback DHT testnet, real TCP seeds.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createDhtNode, createDhtTestnet, type DhtTestnet } from '@bbmesh/dht'
import { openIndex } from '@bbmesh/index'
import { MetadataServer, MetadataStore, fetchMetadata, rawDictValue } from '@bbmesh/wire'
// Stock WebTorrent libraries (devDependencies, unmodified) as an independent BEP 9 client.
import Wire from 'bittorrent-protocol'
import utMetadata from 'ut_metadata'
import { binPath, fixtures, jsonLines, runCli, tempHome } from './run-cli.js'

const debian = join(fixtures, 'torrents', 'debian-12.7.0-amd64-netinst.torrent')
const hybrid = join(fixtures, 'torrents', 'open-data-hybrid.torrent')
const v2only = join(fixtures, 'torrents', 'open-data-v2.torrent')

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

interface StockWire {
  use(ext: unknown): void
  handshake(ih: string, pid: Uint8Array, ext?: object): void
  ut_metadata: { fetch(): void; on(ev: 'metadata', fn: (m: Uint8Array) => void): void }
}

/** Fetches metadata with stock bittorrent-protocol + ut_metadata; resolves with the `{info: …}` it emits. */
function stockFetch(port: number, infoHashHex: string, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1')
    socket.on('error', () => undefined)
    const wire = new (Wire as unknown as new () => StockWire & NodeJS.ReadWriteStream)()
    socket.pipe(wire).pipe(socket)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error('stock fetch timed out'))
    }, timeoutMs)
    wire.use(utMetadata())
    wire.ut_metadata.fetch()
    wire.ut_metadata.on('metadata', (m) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(Buffer.from(m))
    })
    socket.on('close', () => {
      clearTimeout(timer)
      reject(new Error('stock client connection closed'))
    })
    wire.handshake(infoHashHex, randomBytes(20), { dht: true })
  })
}

function torrentInfo(file: string): { info: Buffer; v1?: Buffer; v2?: Buffer } {
  const raw = readFileSync(file)
  const hashes = new MetadataStore().addTorrent(raw)
  return { info: Buffer.from(rawDictValue(raw, 'info')!), ...hashes }
}

async function testnet(n = 5): Promise<DhtTestnet> {
  const net = await createDhtTestnet(n)
  cleanups.push(() => net.destroy())
  return net
}

/** A MetadataServer seed for `files` that announces itself into the DHT through `bootstrap`. */
async function dhtSeed(bootstrap: string[], files: string[]): Promise<number> {
  const store = new MetadataStore()
  const hashes = files.map((f) => store.addTorrent(readFileSync(f)))
  const server = new MetadataServer({ lookup: store })
  cleanups.push(() => server.close())
  const { port } = await server.listen(0, '127.0.0.1')
  const node = createDhtNode({ bootstrap })
  cleanups.push(() => node.destroy())
  await node.listen(0, '127.0.0.1')
  await node.bootstrap()
  for (const h of hashes) {
    if (h.v1) await node.announce(h.v1, port)
    if (h.v2) await node.announce(h.v2.subarray(0, 20), port)
  }
  return port
}

interface Served {
  child: ChildProcess
  lines: Record<string, unknown>[]
  next(event: string, ms?: number): Promise<Record<string, unknown>>
  stop(): Promise<{ code: number | null; lines: Record<string, unknown>[] }>
}

/** `bbmesh …args` as a long-running child; JSON lines are collected as they arrive. */
function serveCli(args: string[], home: string): Served {
  const child = spawn(process.execPath, [binPath, ...args], {
    env: { ...process.env, BBMESH_HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: Record<string, unknown>[] = []
  let buf = ''
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
  child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString()
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>)
      buf = buf.slice(i + 1)
    }
  })
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  const stop = async (): Promise<{ code: number | null; lines: Record<string, unknown>[] }> => {
    if (child.exitCode === null) child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
    const code = await exited
    clearTimeout(killer)
    return { code, lines }
  }
  cleanups.push(async () => void (await stop()))
  const next = async (event: string, ms = 15_000): Promise<Record<string, unknown>> => {
    for (const end = Date.now() + ms; Date.now() < end;) {
      const hit = lines.find((l) => l['event'] === event)
      if (hit) return hit
      if (child.exitCode !== null) break
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error(`no '${event}' line; stderr: ${stderr}`)
  }
  return { child, lines, next, stop }
}

async function waitFor(cond: () => boolean, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 20)))
    if (Date.now() > end) throw new Error('condition not reached')
}

describe('bbmesh metadata fetch without --peer', () => {
  it('finds the seed through the DHT by infohash only (v1), and by a v2 magnet whose x.pe is dead', async () => {
    const net = await testnet()
    await dhtSeed(net.bootstrap, [debian, v2only])
    const d = torrentInfo(debian)
    const bootstrap = net.bootstrap.join(',')
    const r = await runCli(['--json', 'metadata', 'fetch', d.v1!.toString('hex'), '--bootstrap', bootstrap])
    expect(r.code, r.stderr).toBe(0)
    const [rec] = jsonLines(r.stdout)
    expect(Object.keys(rec!)).toEqual(['infohash', 'name', 'files', 'bytes', 'ms'])
    expect(rec).toMatchObject({
      infohash: d.v1!.toString('hex'),
      name: 'debian-12.7.0-amd64-netinst.iso',
      files: [{ path: 'debian-12.7.0-amd64-netinst.iso', size: 661651456 }],
      bytes: d.info.length,
    })
    const v = torrentInfo(v2only)
    const magnet = `magnet:?xt=urn:btmh:1220${v.v2!.toString('hex')}&x.pe=127.0.0.1:1`
    const m = await runCli(['--json', 'metadata', 'fetch', magnet, '--bootstrap', bootstrap])
    expect(m.code, m.stderr).toBe(0)
    expect(jsonLines(m.stdout)[0]).toMatchObject({ infohash: v.v2!.toString('hex'), bytes: v.info.length })
  })

  it('an infohash nobody announced, and a DHT that never answers within --timeout: error object, exit 1', async () => {
    const net = await testnet(3)
    const r = await runCli([
      '--json',
      'metadata',
      'fetch',
      'ab'.repeat(20),
      '--bootstrap',
      net.bootstrap.join(','),
    ])
    expect(r.code).toBe(1)
    expect(jsonLines(r.stdout)).toEqual([
      { error: { code: 'NO_PEERS', message: 'no peers found in the DHT' } },
    ])
    // Nothing listens on UDP port 9 of loopback: the join cannot finish, the deadline ends the command.
    const started = Date.now()
    const t = await runCli([
      '--json',
      'metadata',
      'fetch',
      'ab'.repeat(20),
      '--bootstrap',
      '127.0.0.1:9',
      '--timeout',
      '2',
    ])
    expect(t.code).toBe(1)
    expect(jsonLines(t.stdout)[0]).toMatchObject({ error: { code: 'TIMEOUT' } })
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})

describe('bbmesh metadata serve', () => {
  it("serves the index's metadata cache (no --torrent) to a stock ut_metadata client and to ours", async () => {
    const { home, cleanup } = tempHome()
    cleanups.push(cleanup)
    const d = torrentInfo(debian)
    const v = torrentInfo(v2only)
    const index = await openIndex({ path: join(home, 'index.db') })
    await index.metadataCache.put(d.v1!, d.info)
    await index.metadataCache.put(v.v2!, v.info) // a v2-only dict is keyed by all 32 bytes
    // A hybrid ingested with its info dict: cached under v1, linked to v2 by its torrents row.
    const h = torrentInfo(hybrid)
    await index.ingest([
      { infohashV1: h.v1!, infohashV2: h.v2!, name: 'hybrid', files: [], source: 'test', rawInfo: h.info },
    ])
    await index.close()
    const s = serveCli(['--json', 'metadata', 'serve', '--host', '127.0.0.1', '--duration', '60'], home)
    const listening = await s.next('listening')
    expect(s.lines[0]).toEqual({ event: 'listening', host: '127.0.0.1', port: listening['port'] })
    const port = listening['port'] as number
    const got = await stockFetch(port, d.v1!.toString('hex'))
    expect(Buffer.from(rawDictValue(got, 'info')!).equals(d.info)).toBe(true)
    // Peers handshake with the truncated v2 hash; the cache is searched by that prefix.
    const r = await fetchMetadata({ infoHash: v.v2!, peers: [{ host: '127.0.0.1', port }], timeoutMs: 5000 })
    expect(Buffer.from(r.info).equals(v.info)).toBe(true)
    const rh = await fetchMetadata({ infoHash: h.v2!, peers: [{ host: '127.0.0.1', port }], timeoutMs: 5000 })
    expect(Buffer.from(rh.info).equals(h.info)).toBe(true)
    await expect(stockFetch(port, 'cd'.repeat(20), 3000)).rejects.toThrow(/closed/)
    const { code, lines } = await s.stop()
    expect(code).toBe(0)
    expect(lines.at(-1)).toMatchObject({
      event: 'stopped',
      connections: 4,
      closed: { 'unknown-infohash': 1 },
    })
  })

  it('--announce on a loopback DHT: fetch without --peer finds and fetches from the index and a --torrent', async () => {
    const net = await testnet()
    const bootstrap = net.bootstrap.join(',')
    const { home, cleanup } = tempHome()
    cleanups.push(cleanup)
    const d = torrentInfo(debian)
    const h = torrentInfo(hybrid)
    const index = await openIndex({ path: join(home, 'index.db') })
    await index.metadataCache.put(d.v1!, d.info)
    await index.close()
    // announce_peer for the cached debian dict as the testnet nodes receive it (only serve announces it).
    const ports: number[] = []
    for (const n of net.nodes)
      n.on('announce_peer', (o) => {
        if (o.infoHash.equals(d.v1!) && o.tokenValid) ports.push(o.port)
      })
    const seen = (): number => ports.length
    const s = serveCli(
      [
        '--json',
        'metadata',
        'serve',
        '--torrent',
        hybrid,
        '--from-index',
        '--announce',
        '--bootstrap',
        bootstrap,
        '--host',
        '127.0.0.1',
        '--announce-rate',
        '50',
        '--announce-interval',
        '2',
        '--duration',
        '60',
      ],
      home,
    )
    const port = (await s.next('listening'))['port'] as number
    // hybrid v1 + hybrid v2 (truncated) + the cached debian dict
    expect(await s.next('announced')).toMatchObject({ infohashes: 3, ok: 3, failed: 0 })
    const firstRound = seen()
    expect(firstRound).toBeGreaterThan(0)
    expect(new Set(ports)).toEqual(new Set([port])) // our TCP port, not the DHT's UDP port
    const other = tempHome()
    cleanups.push(other.cleanup)
    for (const [hash, info] of [
      [d.v1!.toString('hex'), d.info],
      [h.v2!.toString('hex'), h.info],
    ] as const) {
      const r = await runCli(['--json', 'metadata', 'fetch', hash, '--bootstrap', bootstrap], {
        home: other.home,
      })
      expect(r.code, r.stderr).toBe(0)
      expect(jsonLines(r.stdout)[0]).toMatchObject({ infohash: hash, bytes: info.length })
    }
    // --announce-interval 2: a second round announces everything again.
    await waitFor(() => s.lines.filter((l) => l['event'] === 'announced').length >= 2)
    expect(seen()).toBeGreaterThan(firstRound)
    const { code, lines } = await s.stop()
    expect(code).toBe(0)
    expect(lines.at(-1)).toMatchObject({ event: 'stopped', connections: 2 })
    expect(lines.filter((l) => l['event'] === 'announced').every((l) => l['ok'] === 3)).toBe(true)
  })
})
