// `bbmesh search --community`: a member's crawl process (real, on a loopback testnet) answers a query
// asked on the same data dir through its local channel; another member, with no process running,
// joins the community for its query and gets the first member's torrents merged with its own, a
// torrent both hold counted as held by two. `serve --community` answers its web API's searches with
// the community's results and serves the same channel.
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openIndex, type TorrentInput } from '@bbmesh/index'
import { createTestnet, type Testnet } from '@bbmesh/testnet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, runCli } from './run-cli.js'
import { startServe } from './serve-process.js'

let net: Testnet
const homes = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'bbmesh-cli-search-community-')))

const torrent = (name: string): TorrentInput => ({
  infohashV1: createHash('sha1').update(name).digest(),
  name,
  files: [{ path: `${name}.mkv`, size: 700_000_000 }],
  source: 'import',
})
// Member A holds three quokka torrents, member B two, one of them also on A.
const held = [
  ['quokka.island.2019', 'quokka.beach.2020', 'quokka.shared.2021'],
  ['quokka.shared.2021', 'quokka.forest.2022'],
]

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

beforeAll(async () => {
  net = await createTestnet({ nodes: 20, torrents: 4, seed: 5 })
  await runCli(['community', 'create', 'lan'], { home: homes[0] })
  const invite = (await runCli(['community', 'invite', 'lan'], { home: homes[0] })).stdout.trim()
  await runCli(['community', 'join', invite, '--name', 'lan'], { home: homes[1] })
  for (const [k, names] of held.entries()) {
    const index = await openIndex({ path: join(homes[k]!, 'index.db') })
    await index.ingest(names.map(torrent))
    await index.close()
  }
}, 60_000)
afterAll(async () => {
  await net?.destroy()
  for (const h of homes) rmSync(h, { recursive: true, force: true })
})

interface Summary {
  event: string
  via: string
  total: number
  results: { name: string; members: number }[]
  members: { member: string; status: string }[]
}

describe('bbmesh search --community', () => {
  it('asks the running member process, or joins for the query, and merges members’ answers', async () => {
    const meshPort = await freePort()
    const crawl = runCli(
      ['--json', 'crawl', '--bootstrap', net.bootstrap.join(','), '--duration', '45'].concat([
        '--community',
        'lan',
        '--mesh-port',
        String(meshPort),
      ]),
      { home: homes[0], timeoutMs: 90_000 },
    )
    const socket = join(homes[0]!, 'search-lan.sock')
    for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100))
    expect(existsSync(socket)).toBe(true)

    // Same data dir: through the crawl's local channel, its own index answering.
    const local = await runCli(['--json', 'search', '--community', 'lan', 'quokka'], { home: homes[0] })
    expect(local.code, local.stderr).toBe(0)
    const a = jsonLines(local.stdout).at(-1) as unknown as Summary
    expect(a.via).toBe('member-process')
    expect(a.results.map((h) => h.name).sort()).toEqual([...held[0]!].sort())

    // The other member has no process running: it joins, asks A, and merges A's answer with its own.
    const joined = await runCli(
      ['--json', 'search', '--community', 'lan', '--bootstrap', net.bootstrap.join(',')].concat([
        '--peer',
        `127.0.0.1:${meshPort}`,
        '--wait',
        '30',
        '--deadline',
        '3000',
        'quokka',
      ]),
      { home: homes[1], timeoutMs: 60_000 },
    )
    expect(joined.code, joined.stderr).toBe(0)
    const lines = jsonLines(joined.stdout)
    const b = lines.at(-1) as unknown as Summary
    expect(b.via).toBe('joined')
    expect(b.members.some((m) => m.member !== 'self' && m.status === 'answered')).toBe(true)
    const names = new Map(b.results.map((h) => [h.name, h.members]))
    expect([...names.keys()].sort()).toEqual([...new Set(held.flat())].sort())
    expect(names.get('quokka.shared.2021')).toBe(2)
    expect(names.get('quokka.forest.2022')).toBe(1)
    // Hits streamed before the summary, each torrent once.
    const streamed = lines.filter((l) => l.event === 'hit').map((l) => l.name as string)
    expect(new Set(streamed).size).toBe(streamed.length)
    expect(streamed.length).toBe(names.size)

    // serve --community on B: the web API's search is the community's, and B's own `search
    // --community` now rides the server's links through its channel.
    const serve = await startServe(
      ['serve', '--community', 'lan', '--no-api-key', '--port', '0'].concat([
        '--bootstrap',
        net.bootstrap.join(','),
        '--peer',
        `127.0.0.1:${meshPort}`,
      ]),
      homes[1]!,
    )
    try {
      let api: { hits: { name: string }[] } = { hits: [] }
      // The server listens before its first member has linked: ask until A's torrents are in.
      for (let i = 0; i < 40 && api.hits.length < 4; i++) {
        api = (await (await fetch(`${serve.url}/api/search?q=quokka`)).json()) as typeof api
        if (api.hits.length < 4) await new Promise((r) => setTimeout(r, 500))
      }
      expect(api.hits.map((h) => h.name).sort()).toEqual([...new Set(held.flat())].sort())
      const viaServe = await runCli(['--json', 'search', '--community', 'lan', 'quokka'], { home: homes[1] })
      expect(viaServe.code, viaServe.stderr).toBe(0)
      const c = jsonLines(viaServe.stdout).at(-1) as unknown as Summary
      expect(c.via).toBe('member-process')
      expect(c.results.length).toBe(4)
    } finally {
      expect(await serve.stop('SIGINT')).toBe(0)
    }

    const done = await crawl
    expect(done.code, done.stderr).toBe(0)
    const summary = jsonLines(done.stdout).at(-1) as { mesh: { search: Record<string, number> } }
    expect(summary.mesh.search.answered).toBeGreaterThanOrEqual(1)
    expect(existsSync(socket)).toBe(false) // the channel is removed on exit
  }, 120_000)

  it('says so in one line when the community is unknown', async () => {
    const r = await runCli(['search', '--community', 'nope', 'quokka'], { home: homes[1] })
    expect(r.code).not.toBe(0)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
})
