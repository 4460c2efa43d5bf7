import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const binPath = resolve(here, '../dist/bin.js')
export const repoRoot = resolve(here, '../../..')
export const fixtures = join(repoRoot, 'fixtures')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the built `bbmesh` binary as a child process, the way a user's shell would. */
export function runCli(
  args: string[],
  opts: { home?: string; input?: string; timeoutMs?: number; env?: Record<string, string | undefined> } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      process.execPath,
      [binPath, ...args],
      {
        env: childEnv({
          ...process.env,
          // BBMESH_DB from the developer's shell would point every test at their index.
          BBMESH_DB: undefined,
          BBMESH_HOME: opts.home ?? '/nonexistent-bbmesh-home',
          // No user's ~/.config/bbmesh/config.json reaches a test unless it asks for one.
          XDG_CONFIG_HOME: '/nonexistent-bbmesh-config',
          NO_COLOR: '1',
          ...opts.env,
        }),
        timeout: opts.timeoutMs ?? 20_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolvePromise({ code, stdout, stderr })
      },
    )
    if (opts.input !== undefined) child.stdin?.end(opts.input)
    else child.stdin?.end()
  })
}

/** The environment without the variables a test set to undefined (to unset them). */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined))
}

/** A temporary data directory, removed by the returned cleanup function. */
export function tempHome(): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), 'bbmesh-cli-test-'))
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) }
}

/** Parses every stdout line as JSON. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}
