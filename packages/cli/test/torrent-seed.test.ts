// `bbmesh torrent seed`, run in process on 127.0.0.1: seeding torrent A from disk with --cross-seed also
// seeds the indexed torrent B that shares a file with A, and B's shared file downloads (verified) from it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { afterEach, describe, expect, it } from 'vitest'
import { buildTorrent } from '@bbmesh/catalog'
import { downloadPieces, layoutFromInfo, piecesOfFile, type MemoryStorage } from '@bbmesh/wire'
import { buildProgram } from '../src/program.js'

/** Runs `bbmesh …args` in this process; `onStdout` sees output as it is written. */
async function run(
  args: string[],
  onStdout?: (text: string) => void,
): Promise<{ code: string; stdout: string }> {
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

const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.()
})

const lines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('bbmesh torrent seed --cross-seed', () => {
  it('serves the file an indexed torrent shares with the seeded one', async () => {
    const base = mkdtempSync(join(tmpdir(), 'bbmesh-cli-xseed-'))
    cleanups.push(() => rmSync(base, { recursive: true, force: true }))
    const shared = randomBytes(100_000)
    const aOnly = randomBytes(20_000)
    const a = await buildTorrent(
      {
        name: 'A',
        files: [
          { path: ['a-only.bin'], data: aOnly },
          { path: ['shared.bin'], data: shared },
        ],
      },
      { version: 'v2', pieceLength: 16384 },
    )
    const b = await buildTorrent(
      {
        name: 'B',
        files: [
          { path: ['b-only.bin'], data: randomBytes(40_000) },
          { path: ['shared.bin'], data: shared },
        ],
      },
      { version: 'hybrid', pieceLength: 32768 },
    )
    mkdirSync(join(base, 'A'))
    writeFileSync(join(base, 'A', 'a-only.bin'), aOnly)
    writeFileSync(join(base, 'A', 'shared.bin'), shared)
    writeFileSync(join(base, 'a.torrent'), a.torrent)
    writeFileSync(join(base, 'b.torrent'), b.torrent)
    const data = join(base, 'home')
    expect((await run(['--data-dir', data, 'import', join(base, 'b.torrent')])).code).toBe('ok')

    let port: number | undefined
    let crossSeeded = false
    const seeding = run(
      ['--json', '--data-dir', data, 'torrent', 'seed', join(base, 'a.torrent'), join(base, 'A')].concat([
        '--cross-seed',
        '--duration',
        '4',
      ]),
      (text) => {
        for (const l of lines(text)) {
          if (l['event'] === 'listening') port = l['port'] as number
          if (l['event'] === 'cross-seed') crossSeeded = true
        }
      },
    )
    for (let i = 0; i < 300 && !crossSeeded; i++) await new Promise((r) => setTimeout(r, 10))
    expect(crossSeeded).toBe(true)
    const lb = layoutFromInfo(b.info)
    const f = lb.files.find((x) => !x.pad && Buffer.from(x.path[0] ?? []).toString() === 'shared.bin')
    const res = await downloadPieces({
      info: b.info,
      peers: [{ host: '127.0.0.1', port: port as number }],
      pieces: piecesOfFile(lb, f as NonNullable<typeof f>),
      timeoutMs: 10_000,
    })
    expect(Buffer.from((res.storage as MemoryStorage).file('shared.bin') ?? []).equals(shared)).toBe(true)

    const r = await seeding
    expect(r.code).toBe('ok')
    const out = lines(r.stdout)
    const v1 = Buffer.from(b.infohashV1 as Uint8Array).toString('hex')
    expect(out.find((l) => l['event'] === 'cross-seed')).toMatchObject({
      infohash: v1,
      status: 'seeded',
      files: ['shared.bin'],
    })
    expect(out.at(-1)).toMatchObject({ event: 'stopped', verifyFailures: 0, protocolErrors: 0 })
    expect(out.at(-1)?.['piecesServed']).toBeGreaterThan(0)
  })

  it('--cross-seed without an index, and a stray --bootstrap, are refused', async () => {
    const base = mkdtempSync(join(tmpdir(), 'bbmesh-cli-xseed-'))
    cleanups.push(() => rmSync(base, { recursive: true, force: true }))
    const a = await buildTorrent({ name: 'x.bin', data: randomBytes(1000) }, { version: 'v2' })
    writeFileSync(join(base, 'x.torrent'), a.torrent)
    const args = ['torrent', 'seed', join(base, 'x.torrent'), join(base, 'x.bin')]
    expect((await run(['--data-dir', join(base, 'none'), ...args, '--cross-seed'])).code).toBe('NO_INDEX')
    expect((await run([...args, '--bootstrap', '127.0.0.1:1'])).code).toBe('USAGE')
    expect((await run(['torrent', 'seed', join(base, 'nope.torrent'), base])).code).toBe('BAD_TORRENT')
  })
})
