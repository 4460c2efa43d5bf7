// Issue 17's first-hour rough edges around `bbmesh import` and `bbmesh stats`, run against the built
// binary the way a new user meets them.
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MetadataStore, fetchMetadata } from '@bbmesh/wire'
import { binPath, fixtures, jsonLines, runCli, tempHome } from './run-cli.js'

const torrents = join(fixtures, 'torrents')
const goodTorrents = readdirSync(torrents).filter((f) => f.endsWith('.torrent'))
const debian = join(torrents, 'debian-12.7.0-amd64-netinst.torrent')
const hybrid = join(torrents, 'open-data-hybrid.torrent')

describe('bbmesh import: rough edges', () => {
  let home: string
  let cleanup: () => void
  beforeEach(() => ({ home, cleanup } = tempHome()))
  afterEach(() => cleanup())

  it('a file of 20,000 bad lines prints a few warnings and one "… and N more", exit 3 and the summary', async () => {
    const file = join(home, 'bad.ndjson')
    writeFileSync(file, Array.from({ length: 20_000 }, (_, i) => `not json ${i}`).join('\n') + '\n')
    const imp = await runCli(['import', file], { home, timeoutMs: 30_000 })
    expect(imp.code).toBe(3)
    const lines = imp.stderr.split('\n').filter((l) => l !== '')
    const warnings = lines.filter((l) => l.startsWith('bbmesh: warning: skipped '))
    expect(warnings).toHaveLength(5)
    expect(warnings[0]).toMatch(/bad\.ndjson:1: not JSON/)
    expect(lines.filter((l) => l.includes('… and 19995 more like this'))).toHaveLength(1)
    expect(lines.length).toBeLessThan(12)
    expect(imp.stderr).toMatch(/imported 0 new, 0 updated, 20000 skipped/)

    const json = await runCli(['--json', 'import', file], { home, timeoutMs: 30_000 })
    expect(json.code).toBe(3)
    const out = jsonLines(json.stdout)
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({ event: 'summary', inserted: 0, skipped: 20_000, errorsOmitted: 19_900 })
    expect(out[0]!.errors).toHaveLength(100)
    expect(json.stderr.split('\n').filter((l) => l.includes('warning: skipped'))).toHaveLength(5)
  }, 60_000)

  it('stats says "pending metadata", not "sightings", and shows size, dates and growth', async () => {
    await runCli(['import', torrents], { home })
    const text = await runCli(['stats'], { home })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).not.toMatch(/^sightings/m)
    expect(text.stdout).toMatch(/^pending metadata\s+0$/m)
    expect(text.stdout).toMatch(/^total size\s+\d/m)
    expect(text.stdout).toMatch(/^first seen\s+\d{4}-\d\d-\d\d .* … \d{4}-\d\d-\d\d/m)
    expect(text.stdout).toMatch(new RegExp(`^new in 24 h\\s+${goodTorrents.length}$`, 'm'))
    const json = jsonLines((await runCli(['--json', 'stats'], { home })).stdout)[0]!
    expect(json).toMatchObject({
      torrents: goodTorrents.length,
      pendingMetadata: 0,
      newLastDay: goodTorrents.length,
    })
    expect(json.totalSize).toBeGreaterThan(6_000_000_000)
    expect(typeof json.oldestFirstSeen).toBe('string')
  })

  it('an imported .torrent keeps its info dict: `metadata serve` serves it over BEP 9', async () => {
    const imp = await runCli(['--json', 'import', torrents], { home })
    expect(imp.code, imp.stderr).toBe(0)
    const stats = jsonLines((await runCli(['--json', 'stats'], { home })).stdout)[0]!
    expect(stats.cachedMetadata).toBe(goodTorrents.length)

    const child = spawn(process.execPath, [binPath, '--json', 'metadata', 'serve', '--duration', '5'], {
      env: { ...process.env, BBMESH_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let buf = ''
        const timer = setTimeout(() => reject(new Error('metadata serve did not start')), 10_000)
        child.stdout.on('data', (d: Buffer) => {
          buf += String(d)
          const nl = buf.indexOf('\n')
          if (nl < 0) return
          clearTimeout(timer)
          resolve((JSON.parse(buf.slice(0, nl)) as { port: number }).port)
        })
      })
      const store = new MetadataStore()
      const { v1 } = store.addTorrent(readFileSync(debian))
      const { v2 } = store.addTorrent(readFileSync(hybrid))
      const peers = [{ host: '127.0.0.1', port }]
      const a = await fetchMetadata({ infoHash: v1!, peers, timeoutMs: 5000 })
      const b = await fetchMetadata({ infoHash: v2!, peers, timeoutMs: 5000 })
      expect([a.version, b.version]).toEqual(['v1', 'v2'])
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    }
  }, 30_000)

  it('export --with-info carries the info dicts, and an NDJSON import fills the metadata cache', async () => {
    await runCli(['import', torrents], { home })
    const plain = await runCli(['export', '--ndjson'], { home })
    expect(plain.stdout).not.toContain('"info"')
    const exp = await runCli(['export', '--ndjson', '--with-info'], { home })
    expect(exp.code, exp.stderr).toBe(0)
    // One line's dict damaged: that torrent is imported, its dict is not cached.
    const lines = exp.stdout.trim().split('\n')
    const first = JSON.parse(lines[0]!) as { info: string }
    first.info = Buffer.from('d4:name3:bade').toString('base64')
    lines[0] = JSON.stringify(first)

    const other = tempHome()
    try {
      const imp = await runCli(['--json', 'import', '-'], { home: other.home, input: lines.join('\n') })
      expect(imp.code, imp.stderr).toBe(0)
      expect(jsonLines(imp.stdout).at(-1)).toMatchObject({ inserted: goodTorrents.length, infoRejected: 1 })
      const stats = jsonLines((await runCli(['--json', 'stats'], { home: other.home })).stdout)[0]!
      expect(stats.cachedMetadata).toBe(goodTorrents.length - 1)
    } finally {
      other.cleanup()
    }
  })
})
