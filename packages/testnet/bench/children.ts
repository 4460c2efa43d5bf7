// Shared by the testnet and simulator benches: each K runs in its own child process, so every
// row starts from a fresh heap and its peak RSS is its own.
import { execFileSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

/**
 * In the parent, runs `scriptUrl ...args --one k` for each k and returns the rows they print; in a
 * child (argv has `--one k`), prints `one(k)` as JSON and returns null.
 */
export async function rowPerChild<R>(
  scriptUrl: string,
  ks: readonly (string | number)[],
  one: (k: string) => Promise<R>,
  args: readonly string[] = [],
): Promise<R[] | null> {
  const child = process.argv.indexOf('--one')
  if (child >= 0) {
    process.stdout.write(JSON.stringify(await one(process.argv[child + 1]!)))
    return null
  }
  const rows: R[] = []
  for (const k of ks) {
    const out = execFileSync(process.execPath, [fileURLToPath(scriptUrl), ...args, '--one', String(k)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    })
    rows.push(JSON.parse(out) as R)
  }
  return rows
}

export const round = (x: number): number => Math.round(x * 10) / 10
export const sec = (ms: number | null): string => (ms === null ? '—' : (ms / 1000).toFixed(1))

/** What the results files say about the machine they were measured on. */
export function benchEnv(): { node: string; cpus: number; loadavg: number[] } {
  return { node: process.version, cpus: cpus().length, loadavg: loadavg().map((x) => round(x)) }
}
