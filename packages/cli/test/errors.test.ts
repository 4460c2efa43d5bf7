import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'kysely'
import { openIndex } from '@bbmesh/index'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { binPath, fixtures, jsonLines, runCli, tempHome } from './run-cli.js'

/** Every failure is one line on stderr, a non-zero exit, and never a stack trace. */
function expectOneLineError(res: { code: number; stderr: string }, code: number, pattern: RegExp): void {
  expect(res.code).toBe(code)
  const lines = res.stderr.trim().split('\n')
  expect(lines.length, res.stderr).toBeLessThanOrEqual(2)
  expect(lines[0]).toMatch(/^bbmesh: /)
  expect(res.stderr).toMatch(pattern)
  expect(res.stderr).not.toMatch(/\n\s+at /)
}

/** Runs the CLI inside `unshare -m` with `dir` bind-mounted read-only (works as root; CI runs as root). */
function runInReadOnlyBind(dir: string, args: string[], home: string): { code: number; stderr: string } {
  const script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && shift && exec "$@"'
  const r = spawnSync('unshare', ['-m', 'sh', '-c', script, dir, 'sh', process.execPath, binPath, ...args], {
    env: { ...process.env, BBMESH_HOME: home, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 20_000,
  })
  expect(r.error, 'unshare -m is needed to test a read-only data dir as root').toBeUndefined()
  expect(r.stderr, 'the read-only bind mount was not made').not.toMatch(/^(unshare|mount):/m)
  return { code: r.status ?? -1, stderr: r.stderr }
}

describe('bbmesh error contract', () => {
  let home: string
  let cleanup: () => void
  beforeEach(() => ({ home, cleanup } = tempHome()))
  afterEach(() => cleanup())

  it('prints help and version with exit 0', async () => {
    const help = await runCli(['--help'], { home })
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/Usage: bbmesh/)
    for (const cmd of ['search', 'show', 'stats', 'import', 'export']) expect(help.stdout).toContain(cmd)
    const version = await runCli(['--version'], { home })
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('rejects unknown flags, unknown commands and missing arguments with exit 2', async () => {
    expectOneLineError(await runCli(['search', '--bogus', 'x'], { home }), 2, /unknown option '--bogus'/)
    expectOneLineError(await runCli(['serch', 'x'], { home }), 2, /unknown command 'serch'/)
    expectOneLineError(await runCli(['show'], { home }), 2, /missing required argument/)
    expectOneLineError(
      await runCli(['search', 'x', '--limit', 'many'], { home }),
      2,
      /--limit: not a whole number/,
    )
    expectOneLineError(
      await runCli(['search', 'x', '--min-size', '3 parsecs'], { home }),
      2,
      /--min-size: not a size/,
    )
    expectOneLineError(await runCli(['show', 'xyz'], { home }), 2, /not an infohash/)
    expectOneLineError(await runCli(['import', join(home, 'nope')], { home }), 2, /no such file or folder/)
  })

  it('reports a missing torrent with exit 1 and a JSON error object', async () => {
    const res = await runCli(['--json', 'show', 'a'.repeat(40)], { home })
    expectOneLineError(res, 1, /not in the index/)
    expect(jsonLines(res.stdout)[0]).toEqual({
      error: { code: 'NOT_FOUND', message: `not in the index: ${'a'.repeat(40)}` },
    })
  })

  it('reports an unwritable data dir', async () => {
    const blocked = join(home, 'file-not-dir')
    writeFileSync(blocked, 'x')
    expectOneLineError(
      await runCli(['--data-dir', join(blocked, 'sub'), 'stats'], { home }),
      1,
      /not writable/,
    )
    const ro = join(home, 'ro')
    mkdirSync(ro)
    const args = ['--data-dir', join(ro, 'x'), 'stats']
    if (process.getuid?.() !== 0) {
      chmodSync(ro, 0o500)
      expectOneLineError(await runCli(args, { home }), 1, /not writable/)
    } else {
      // Root ignores mode bits, so make the directory truly read-only: a read-only bind mount of it
      // in a private mount namespace that only the child sees.
      expectOneLineError(runInReadOnlyBind(ro, args, home), 1, /not writable/)
    }
  })

  it('reports a corrupt database', async () => {
    const db = join(home, 'broken.db')
    writeFileSync(db, Buffer.alloc(8192, 0x5a))
    expectOneLineError(await runCli(['--db', db, 'stats'], { home }), 1, /corrupt|not a database/i)
  })

  it('reports a database locked by another writer', async () => {
    const db = join(home, 'locked.db')
    const holder = await openIndex({ path: db })
    try {
      // Another process holds the write lock for longer than our busy timeout.
      await sql`BEGIN EXCLUSIVE`.execute(holder.db)
      const res = await runCli(['--db', db, 'import', join(fixtures, 'torrents', 'sintel.torrent')], {
        home,
        timeoutMs: 30_000,
      })
      expectOneLineError(res, 1, /locked/)
    } finally {
      await sql`ROLLBACK`.execute(holder.db).catch(() => undefined)
      await holder.close()
    }
  })

  it('reports an export destination that cannot be written', async () => {
    const res = await runCli(['export', '--out', join(home, 'no', 'such', 'dir', 'x.ndjson')], { home })
    expectOneLineError(res, 1, /cannot write .*ENOENT/)
  })
})
