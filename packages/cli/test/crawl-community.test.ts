// `bbmesh crawl --community`: two crawls (real processes) of one loopback testnet as members of one
// community find each other, report membership in their --json summary, publish their feeds on the
// gossip bus and read each other's.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestnet, type Testnet } from '@bbmesh/testnet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, runCli } from './run-cli.js'

let net: Testnet
const homes = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'bbmesh-cli-crawl-community-')))

beforeAll(async () => {
  net = await createTestnet({ nodes: 30, torrents: 20, seed: 11 })
  await runCli(['community', 'create', 'lan'], { home: homes[0] })
  const invite = (await runCli(['community', 'invite', 'lan'], { home: homes[0] })).stdout.trim()
  await runCli(['community', 'join', invite, '--name', 'lan'], { home: homes[1] })
}, 60_000)
afterAll(async () => {
  await net?.destroy()
  for (const h of homes) rmSync(h, { recursive: true, force: true })
})

describe('bbmesh crawl --community', () => {
  it('a member that joins late catches up in bulk from the first (bb_sync, then relay), verified, and reads its feed', async () => {
    const run = (home: string, duration: number) =>
      runCli(
        ['--json', 'crawl', '--bootstrap', net.bootstrap.join(','), '--duration', String(duration)].concat([
          '--community',
          'lan',
          '--feed-interval',
          '3',
        ]),
        { home, timeoutMs: 100_000 },
      )
    const first = run(homes[0]!, 55)
    await new Promise((r) => setTimeout(r, 20_000)) // the first has indexed the testnet by now
    const results = await Promise.all([first, run(homes[1]!, 30)])
    const [a, b] = results.map((r) => {
      expect(r.code, r.stderr).toBe(0)
      const last = jsonLines(r.stdout).at(-1)!
      expect(last.event).toBe('summary')
      return last as {
        stored: number
        fetches: { attempts: number; relayed: number }
        mesh: Record<string, unknown> & {
          feed: Record<string, number>
          relay: Record<string, number>
          sync: Record<string, number>
        }
      }
    })
    for (const s of [a!, b!]) {
      expect(s.mesh.community).toBe('lan')
      // The one that stops last may already have seen the other's goodbye: count who was met.
      expect(s.mesh.membersSeen).toBe(1)
      expect(s.mesh.announces as number).toBeGreaterThanOrEqual(1)
      expect(s.stored + s.mesh.sync.torrentsIn!).toBeGreaterThan(0)
      // A feed lists what the member indexed itself; what it caught up on came from members.
      expect(s.mesh.feed.published > 0).toBe(s.stored > 0)
    }
    expect(a!.mesh.feed.published).toBeGreaterThanOrEqual(1)
    console.log(
      `late member: ${b!.stored} stored, ${b!.fetches.relayed} relayed, sync ${JSON.stringify(b!.mesh.sync)}`,
    )
    // The late member caught up in bulk on what the first held (bb_sync), verified; what the first
    // indexed later came by relay. Most of what it took came from the member, not the swarm.
    expect(b!.mesh.feed.offered).toBeGreaterThan(0)
    const got = b!.stored + b!.mesh.sync.torrentsIn!
    expect(b!.mesh.sync.completed).toBeGreaterThanOrEqual(1)
    expect(b!.mesh.sync.torrentsIn).toBeGreaterThan(0)
    expect(b!.fetches.relayed + b!.mesh.sync.torrentsIn!).toBeGreaterThanOrEqual(Math.ceil(got / 2))
    expect(a!.mesh.sync.dictsOut).toBeGreaterThanOrEqual(b!.mesh.sync.torrentsIn!)
    expect(a!.mesh.relay.served).toBeGreaterThanOrEqual(b!.fetches.relayed)
    expect(b!.mesh.relay.badHash + b!.mesh.sync.badHash!).toBe(0)
    expect(a!.mesh.pool.replicate).toBe('all')
  }, 150_000)

  it('two members crawling together pool it: sightings go to their owner, each torrent mostly fetched once', async () => {
    const torrents = 20
    const run = (home: string) =>
      runCli(
        ['--json', 'crawl', '--bootstrap', net.bootstrap.join(','), '--duration', '30', '--community', 'lan'],
        {
          home,
          timeoutMs: 100_000,
        },
      )
    // Fresh indexes: what the first test stored would be known already.
    for (const h of homes)
      for (const f of ['index.db', 'index.db-wal', 'index.db-shm']) rmSync(join(h, f), { force: true })
    const results = await Promise.all(homes.map((h) => run(h)))
    const [a, b] = results.map((r) => {
      expect(r.code, r.stderr).toBe(0)
      return jsonLines(r.stdout).at(-1) as {
        stored: number
        indexTorrents: number
        fetches: { attempts: number; relayed: number }
        mesh: { pool: Record<string, number> }
      }
    })
    for (const s of [a!, b!]) {
      expect(s.indexTorrents).toBeGreaterThanOrEqual(torrents * 0.9)
      expect(s.mesh.pool.forwarded! + s.mesh.pool.received!).toBeGreaterThan(0)
    }
    // Alone, each would fetch all 20 from the swarm (40 attempts at least, more with peers that fail);
    // pooled, each torrent is fetched by its owner and relayed to the other: about 20 in all.
    const swarm = a!.fetches.attempts + b!.fetches.attempts
    console.log(`pooled crawl: ${swarm} swarm fetches, ${a!.fetches.relayed + b!.fetches.relayed} relayed`)
    expect(swarm).toBeLessThan(torrents * 2)
    expect(a!.fetches.relayed + b!.fetches.relayed).toBeGreaterThanOrEqual(torrents * 0.5)
  }, 150_000)
})
