// `bbmesh metadata fetch|serve`, run in process against
// @bbmesh/wire peers on 127.0.0.1.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { afterEach, describe, expect, it } from 'vitest'
import { MetadataServer, MetadataStore, fetchMetadata, rawDictValue } from '@bbmesh/wire'
import { buildProgram } from '../src/program.js'
import { repoRoot } from './run-cli.js'

const torrents = join(repoRoot, 'fixtures', 'torrents')
const debian = join(torrents, 'debian-12.7.0-amd64-netinst.torrent')
const hybrid = join(torrents, 'open-data-hybrid.torrent')

interface Run {
  code: string
  stdout: string
}

/** Runs `bbmesh …args` in this process; `onStdout` sees output as it is written. */
async function run(args: string[], onStdout?: (text: string) => void): Promise<Run> {
  const program = buildProgram()
  const quiet = (c: Command): void => {
    c.exitOverride()
    c.configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    c.commands.forEach(quiet)
  }
  quiet(program)
  let stdout = ''
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    onStdout?.(stdout)
    return true
  }) as typeof out
  process.stderr.write = (() => true) as typeof err
  let code = 'ok'
  try {
    await program.parseAsync(['node', 'bbmesh', ...args])
  } catch (e) {
    const c = (e as { code?: unknown }).code
    code = typeof c === 'string' ? c : String(e)
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
  return { code, stdout }
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function serveLibrary(
  file: string,
): Promise<{ port: number; v1?: Buffer; v2?: Buffer; info: Uint8Array }> {
  const store = new MetadataStore()
  const torrent = readFileSync(file)
  const hashes = store.addTorrent(torrent)
  const srv = new MetadataServer({ lookup: store })
  cleanups.push(() => srv.close())
  return { port: (await srv.listen()).port, ...hashes, info: rawDictValue(torrent, 'info')! }
}

describe('bbmesh metadata fetch', () => {
  it('--json prints the contract shape and --out writes a .torrent with the same info dict', async () => {
    const s = await serveLibrary(debian)
    const dir = mkdtempSync(join(tmpdir(), 'bbmesh-meta-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const out = join(dir, 'x.torrent')
    const r = await run([
      '--json',
      'metadata',
      'fetch',
      s.v1!.toString('hex'),
      '--peer',
      `127.0.0.1:${s.port}`,
      '--out',
      out,
    ])
    expect(r.code).toBe('ok')
    const rec = JSON.parse(r.stdout.trim()) as Record<string, unknown>
    expect(Object.keys(rec)).toEqual(['infohash', 'name', 'files', 'bytes', 'ms'])
    expect(rec).toMatchObject({
      infohash: s.v1!.toString('hex'),
      name: 'debian-12.7.0-amd64-netinst.iso',
      files: [{ path: 'debian-12.7.0-amd64-netinst.iso', size: 661651456 }],
      bytes: s.info.length,
    })
    expect(Buffer.from(rawDictValue(readFileSync(out), 'info')!).equals(Buffer.from(s.info))).toBe(true)
  })

  it('a v2 magnet with x.pe peers; files come from the v2 file tree without pad files', async () => {
    const s = await serveLibrary(hybrid)
    const magnet = `magnet:?xt=urn:btmh:1220${s.v2!.toString('hex')}&x.pe=127.0.0.1:${s.port}`
    const r = await run(['--json', 'metadata', 'fetch', magnet])
    expect(r.code).toBe('ok')
    const rec = JSON.parse(r.stdout.trim()) as { infohash: string; files: { path: string }[] }
    expect(rec.infohash).toBe(s.v2!.toString('hex'))
    expect(rec.files.length).toBeGreaterThan(0)
    expect(rec.files.some((f) => f.path.includes('.pad'))).toBe(false)
  })

  it('fails with codes: no peers, unreachable peer, bad arguments', async () => {
    // An empty bootstrap list: a DHT of one node (on loopback) finds nobody.
    expect((await run(['metadata', 'fetch', '00'.repeat(20), '--bootstrap', ''])).code).toBe('NO_PEERS')
    const s = await serveLibrary(debian)
    const other = '11'.repeat(20)
    expect(
      (await run(['metadata', 'fetch', other, '--peer', `127.0.0.1:${s.port}`, '--timeout', '3'])).code,
    ).toBe('METADATA_FETCH')
    expect((await run(['metadata', 'fetch', 'nothex', '--peer', '127.0.0.1:1'])).code).toBe('USAGE')
    expect((await run(['metadata', 'fetch', other, '--peer', 'localhost'])).code).toBe('USAGE')
  })
})

describe('bbmesh metadata serve', () => {
  it('--json: first line is the listening event; serves what a fetch verifies; stops after --duration', async () => {
    let port: number | undefined
    const serving = run(
      ['--json', 'metadata', 'serve', '--torrent', debian, '--torrent', hybrid, '--duration', '2'],
      (text) => {
        const first = text.split('\n')[0]
        if (port === undefined && first && text.includes('\n'))
          port = (JSON.parse(first) as { port: number }).port
      },
    )
    for (let i = 0; i < 200 && port === undefined; i++) await new Promise((r) => setTimeout(r, 10))
    expect(port).toBeGreaterThan(0)
    const store = new MetadataStore()
    const { v1 } = store.addTorrent(readFileSync(debian))
    const { v2 } = store.addTorrent(readFileSync(hybrid))
    const a = await fetchMetadata({
      infoHash: v1!,
      peers: [{ host: '127.0.0.1', port: port! }],
      timeoutMs: 5000,
    })
    const b = await fetchMetadata({
      infoHash: v2!,
      peers: [{ host: '127.0.0.1', port: port! }],
      timeoutMs: 5000,
    })
    expect([a.version, b.version]).toEqual(['v1', 'v2'])
    const r = await serving
    expect(r.code).toBe('ok')
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines[0]).toEqual({ event: 'listening', host: '127.0.0.1', port })
    expect(lines[1]).toMatchObject({ event: 'stopped', connections: 2 })
  })

  it('refuses a missing index, a stray --bootstrap and unreadable torrents', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbmesh-meta-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    expect((await run(['--data-dir', dir, 'metadata', 'serve', '--duration', '1'])).code).toBe('NO_INDEX')
    expect((await run(['metadata', 'serve', '--torrent', debian, '--bootstrap', '127.0.0.1:1'])).code).toBe(
      'USAGE',
    )
    expect(
      (await run(['metadata', 'serve', '--torrent', '/nonexistent.torrent', '--duration', '1'])).code,
    ).toBe('BAD_TORRENT')
  })
})
