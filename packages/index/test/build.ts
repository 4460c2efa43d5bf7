import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..')

function newestMtime(dir: string): number {
  let newest = 0
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    const st = statSync(p)
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs)
  }
  return newest
}

/** Child-process fixtures import dist/, so build it when it is missing or older than src/. */
export function ensureBuilt(): void {
  const out = join(pkg, 'dist', 'index.js')
  if (existsSync(out) && statSync(out).mtimeMs >= newestMtime(join(pkg, 'src'))) return
  execFileSync('pnpm', ['exec', 'tsc', '-p', 'tsconfig.json'], { cwd: pkg, stdio: 'inherit' })
}
