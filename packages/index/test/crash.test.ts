import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFileList } from '../src/index.js'
import { ensureBuilt } from './build.js'
import { tempDir } from './helpers.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixture = join(here, 'fixtures', 'crash-writer.mjs')

/** Runs the writer until a random moment after its first commit, then SIGKILLs it. */
function runAndKill(path: string, run: number, killAfterMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture, path, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] })
    const committed: number[] = []
    let buf = ''
    let stderr = ''
    let timer: NodeJS.Timeout | undefined
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      buf += chunk
      const lines = buf.split('\n')
      buf = lines.pop() ?? ''
      for (const l of lines) {
        const m = /^committed (\d+) (\d+)$/.exec(l)
        if (m !== null && Number(m[1]) === run) committed.push(Number(m[2]))
      }
      timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    })
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(guard)
      if (timer !== undefined) clearTimeout(timer)
      if (signal !== 'SIGKILL') reject(new Error(`writer exited ${code}: ${stderr}`))
      else resolve(committed)
    })
  })
}

describe('crash safety', () => {
  let dir: string
  let cleanup: () => void
  beforeAll(() => {
    ensureBuilt()
    ;({ dir, cleanup } = tempDir())
  }, 120_000)
  afterAll(() => cleanup())

  it('survives SIGKILL at random points 10 times: integrity ok, every reported batch present, no partial batch', async () => {
    const { batchTorrents } = (await import(fixture)) as {
      batchTorrents: (run: number, batch: number) => { infohashV1: Uint8Array; files: unknown[] }[]
    }
    const path = join(dir, 'crash.db')
    const reported = new Map<number, number[]>()
    for (let run = 0; run < 10; run++) {
      const killAfter = 20 + Math.floor(Math.random() * 400)
      reported.set(run, await runAndKill(path, run, killAfter))
    }
    const db = new BetterSqlite3(path)
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      // FTS5's own structural check of the full-text index.
      db.exec(`insert into torrent_fts (torrent_fts, rank) values ('integrity-check', 0)`)
      const byHash = db.prepare('select id, file_count from torrents where infohash_v1 = ?')
      const fileList = db.prepare('select data from file_lists where torrent_id = ?').pluck()
      let checked = 0
      for (const [run, batches] of reported) {
        expect(batches.length, `run ${run} committed nothing before the kill`).toBeGreaterThan(0)
        const last = Math.max(...batches)
        // Every reported batch is complete; the one in flight at the kill is all there or not at all.
        for (let b = 0; b <= last + 1; b++) {
          const rows = batchTorrents(run, b).map(
            (t) => byHash.get(t.infohashV1) as { id: number; file_count: number } | undefined,
          )
          const present = rows.filter((r) => r !== undefined).length
          if (b <= last) expect(present, `run ${run} batch ${b}`).toBe(rows.length)
          else expect([0, rows.length]).toContain(present)
          for (const [i, r] of rows.entries()) {
            if (r === undefined) continue
            expect(r.file_count).toBe(batchTorrents(run, b)[i]!.files.length)
            expect(decodeFileList(fileList.get(r.id) as Uint8Array)).toHaveLength(r.file_count)
          }
          checked++
        }
      }
      expect(checked).toBeGreaterThan(10)
    } finally {
      db.close()
    }
  }, 120_000)
})
