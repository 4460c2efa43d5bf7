// `bbmesh crawl` as a user runs it (the built binary, a child process) against a loopback testnet
// of @bbmesh/testnet (30 DHT nodes, 30 torrents on 127.0.0.1; never the public routers): the index
// ends up holding the torrents' metadata, SIGINT stops gracefully, a second run resumes. Each test
// has its own database, and coverage is awaited as an event (a stats line), not a time window.
import { spawn } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { join } from 'node:path'
import { openIndex, type TorrentDetail } from '@bbmesh/index'
import { createTestnet, type Testnet, type TestnetTorrent } from '@bbmesh/testnet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { binPath, jsonLines, runCli, tempHome, type CliResult } from './run-cli.js'

let net: Testnet
let home: { home: string; cleanup: () => void }

beforeAll(async () => {
  net = await createTestnet({ nodes: 30, torrents: 30, seed: 5 })
  home = tempHome()
}, 60_000)

afterAll(async () => {
  await net?.destroy()
  home?.cleanup()
})

/** Every torrent of an index, each checked against the testnet's ground truth. */
async function storedTorrents(db: string): Promise<TorrentDetail[]> {
  const index = await openIndex({ path: db, readonly: true })
  try {
    const out: TorrentDetail[] = []
    for await (const t of index.exportAll()) out.push(t)
    return out
  } finally {
    await index.close()
  }
}

function expectMatchesGroundTruth(stored: TorrentDetail[]): void {
  const truth = new Map<string, TestnetTorrent>()
  for (const t of net.torrents) {
    if (t.infohashV1) truth.set(t.infohashV1, t)
    if (t.infohashV2) truth.set(t.infohashV2, t)
  }
  for (const s of stored) {
    const t = truth.get(s.infohashV1 ?? s.infohashV2 ?? '')
    expect(t, `stored torrent ${s.infohashV1 ?? s.infohashV2} is not one the testnet made`).toBeDefined()
    expect(s.name).toBe(t!.name)
    expect(s.totalSize).toBe(t!.totalSize)
    expect(s.files.map((f) => [f.path, f.size])).toEqual(t!.files.map((f) => [f.path, f.size]))
  }
}

const summaryOf = (stdout: string): Record<string, unknown> => {
  const last = jsonLines(stdout).at(-1)!
  expect(last.event).toBe('summary')
  return last
}

/**
 * Runs `bbmesh --json crawl` with no --duration and interrupts it (SIGINT) once a stats line satisfies
 * `until`: the crawl is bounded by what it has done, not by a wall-clock window that a loaded machine
 * may not fill. `capMs` only kills a crawl that never gets there (the test then fails on `until`).
 */
async function crawlUntil(
  db: string,
  until: (stats: Record<string, unknown>) => boolean,
  capMs = 90_000,
): Promise<CliResult & { reached: boolean }> {
  const args = [
    '--db',
    db,
    '--json',
    'crawl',
    '--bootstrap',
    net.bootstrap.join(','),
    '--stats-interval',
    '1',
  ]
  const child = spawn(process.execPath, [binPath, ...args], {
    env: { ...process.env, BBMESH_HOME: home.home },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let reached = false
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const killer = setTimeout(() => child.kill('SIGKILL'), capMs)
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    if (reached) return
    const complete = jsonLines(stdout.slice(0, stdout.lastIndexOf('\n') + 1))
    if (complete.some((l) => l.event === 'stats' && until(l))) {
      reached = true
      child.kill('SIGINT')
    }
  })
  const code = await exited
  clearTimeout(killer)
  return { code: code ?? -1, stdout, stderr, reached }
}

describe('bbmesh crawl', () => {
  it('--json --duration 3: stops by itself with stats lines and a summary that matches its index', async () => {
    const db = join(home.home, 'duration.db')
    const args = ['--db', db, '--json', 'crawl', '--bootstrap', net.bootstrap.join(','), '--duration', '3']
    const r = await runCli([...args, '--stats-interval', '1'], { home: home.home, timeoutMs: 60_000 })
    expect(r.code, r.stderr).toBe(0)
    const lines = jsonLines(r.stdout)
    expect(lines.filter((l) => l.event === 'stats').length).toBeGreaterThanOrEqual(2)
    const summary = summaryOf(r.stdout)
    expect(summary.durationS as number).toBeGreaterThanOrEqual(3)
    const stored = await storedTorrents(db)
    expectMatchesGroundTruth(stored)
    expect(summary.stored).toBe(stored.length)
    expect(summary.indexTorrents).toBe(stored.length)
    expect((summary.metadata as { ok: number }).ok).toBe(stored.length)
    // Every torrent was fetched from a testnet seed found by get_peers or an announce: seen alive.
    expect(summary.aliveRecorded).toBe(stored.length)
    for (const t of stored) expect(t.peersSeen, t.name).toBeGreaterThanOrEqual(1)
  }, 90_000)

  it('stores >= 80% of the torrents, and a second run on the same --db fetches nothing it holds', async () => {
    const db = join(home.home, 'crawl.db')
    const goal = Math.ceil(0.8 * net.torrents.length)
    const first = await crawlUntil(db, (l) => (l.stored as number) >= goal)
    expect(first.reached, first.stderr).toBe(true)
    expect(first.code, first.stderr).toBe(0)
    const before = await storedTorrents(db)
    expectMatchesGroundTruth(before)
    expect(before.length).toBeGreaterThanOrEqual(goal)
    expect(summaryOf(first.stdout).stored).toBe(before.length)

    // Until triage has answered some re-sighted torrents from the index instead of fetching them.
    const r = await crawlUntil(db, (l) => ((l.triage as Record<string, number>)['known-index'] ?? 0) > 0)
    expect(r.reached, r.stderr).toBe(true)
    expect(r.code, r.stderr).toBe(0)
    const summary = summaryOf(r.stdout)
    expect((summary.triage as Record<string, number>)['known-index']).toBeGreaterThan(0)
    expect(summary.fetches).toMatchObject({ known: { attempts: 0, infohashes: 0 } })
    const after = await storedTorrents(db)
    expect(after.length).toBe(before.length + (summary.stored as number))
    expectMatchesGroundTruth(after)
  }, 200_000)

  it('a restart re-queues sightings an earlier run left without metadata, and fetches them', async () => {
    const db = join(home.home, 'resume-pending.db')
    const pending = net.torrents.slice(0, 5).map((t) => Buffer.from(t.infohashV1 ?? t.infohashV2!, 'hex'))
    // What an earlier run interrupted before any fetch would have left: sightings only.
    const seeded = await openIndex({ path: db })
    await seeded.recordSightings(pending.map((infohash) => ({ infohash, via: 'sample' as const })))
    await seeded.close()
    const r = await runCli(
      ['--db', db, '--json', 'crawl', '--bootstrap', net.bootstrap.join(','), '--duration', '10'],
      { home: home.home, timeoutMs: 40_000 },
    )
    expect(r.code, r.stderr).toBe(0)
    expect(summaryOf(r.stdout).resumed).toBe(pending.length)
    const index = await openIndex({ path: db, readonly: true })
    try {
      for (const ih of pending) expect(await index.has(ih), ih.toString('hex')).toBe(true)
    } finally {
      await index.close()
    }
  }, 60_000)

  it('SIGINT mid-crawl: exit 0, a summary, and every torrent it reports stored is in the index', async () => {
    const db = join(home.home, 'sigint.db')
    const child = spawn(
      process.execPath,
      [
        binPath,
        '--db',
        db,
        '--json',
        'crawl',
        '--bootstrap',
        net.bootstrap.join(','),
        '--stats-interval',
        '1',
      ],
      { env: { ...process.env, BBMESH_HOME: home.home }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const killer = setTimeout(() => child.kill('SIGKILL'), 40_000)
    try {
      // Interrupt while fetched metadata waits in a batch not yet written (ok > stored): the
      // stop must flush it. Whether a stats line catches a batch in flight is a race, so after
      // 15 s any stats line with fetched metadata will do (the assertions below are the same).
      const started = Date.now()
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString()
          const stats = jsonLines(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).filter(
            (l) => l.event === 'stats',
          )
          const inFlight = stats.some((l) => (l.metadata as { ok: number }).ok > (l.stored as number))
          const fetched = stats.some((l) => (l.metadata as { ok: number }).ok > 0)
          if (inFlight || (fetched && Date.now() - started > 15_000)) resolve()
        })
        child.on('exit', () => resolve())
      })
      child.kill('SIGINT')
      const code = await exited
      const r: CliResult = { code: code ?? -1, stdout, stderr }
      expect(r.code, r.stderr).toBe(0)
      const summary = summaryOf(r.stdout)
      expect(summary.stored as number).toBeGreaterThanOrEqual(1)
      const stored = await storedTorrents(db)
      expect(stored.length).toBe(summary.stored)
      expect((summary.metadata as { ok: number }).ok).toBe(stored.length)
      expectMatchesGroundTruth(stored)
    } finally {
      clearTimeout(killer)
      child.kill('SIGKILL')
    }
  }, 60_000)

  it('rejects a bad --concurrency with exit 2 and one line', async () => {
    const r = await runCli(['crawl', '--bootstrap', '127.0.0.1:1', '--concurrency', 'many'], {
      home: home.home,
    })
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/--concurrency/)
  })

  it('a port it cannot bind: exit 1 and one line', async () => {
    const busy: Socket = createSocket('udp4')
    await new Promise<void>((resolve) => busy.bind(0, '127.0.0.1', resolve))
    try {
      const port = String(busy.address().port)
      const r = await runCli(
        ['--db', join(home.home, 'bind.db'), 'crawl', '--bootstrap', '127.0.0.1:1', '--port', port],
        {
          home: home.home,
        },
      )
      expect(r.code).toBe(1)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(new RegExp(`cannot bind UDP 127\\.0\\.0\\.1:${port}`))
    } finally {
      busy.close()
    }
  })
})
