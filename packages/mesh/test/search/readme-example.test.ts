// The "Example: two members on loopback" in README.md, as written: extracted and run by node from the
// package's dist/ (so `@bbmesh/*` resolve as they do for a user). It must print member B's hit from
// member A's index and exit by itself: a socket the example left open would keep it alive.
import { execFile } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const file = join(pkg, 'dist', `readme-search-example-${process.pid}.mjs`)
afterAll(() => rmSync(file, { force: true }))

function example(): string {
  const md = readFileSync(join(pkg, 'README.md'), 'utf8')
  const at = md.indexOf('\n### Example: two members on loopback (runs offline)\n')
  if (at < 0) throw new Error('README has no federated search example')
  const m = /\n```js\n([\s\S]*?)\n```\n/.exec(md.slice(at))
  if (!m) throw new Error('no js block under the example heading')
  return m[1]!
}

describe('README: federated search example', () => {
  it('runs, finds the torrent on the other member and exits on its own', { timeout: 60_000 }, async () => {
    writeFileSync(file, example())
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
      execFile(process.execPath, [file], { timeout: 45_000, encoding: 'utf8' }, (err, stdout, stderr) =>
        done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
      ),
    )
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('Big Buck Bunny 1080p  held by 1 member(s)')
    expect(r.stdout).not.toContain('Sintel')
    expect(r.stdout).toMatch(/answered in \d+ ms/)
  })
})
