#!/usr/bin/env node
// Fails when a package's dist/ is older than its src/: tests that import dist/ (their own package's
// children, and every @bbmesh/* import from another package) would otherwise pass against a stale
// build. run-tests.mjs runs `pnpm build` and then this; turbo restores cached outputs with fresh mtimes.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

const root = resolve(dirname(new URL(import.meta.url).pathname), '..')

function newest(dir) {
  let best = { mtime: 0, file: '' }
  if (!existsSync(dir)) return best
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    const st = statSync(p)
    const cand = st.isDirectory() ? newest(p) : { mtime: st.mtimeMs, file: p }
    if (cand.mtime > best.mtime) best = cand
  }
  return best
}

const stale = []
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', pkg)
  if (!existsSync(join(dir, 'src'))) continue
  const src = newest(join(dir, 'src'))
  const dist = newest(join(dir, 'dist'))
  if (dist.mtime === 0) stale.push(`packages/${pkg}: no dist/ (pnpm build)`)
  else if (src.mtime > dist.mtime)
    stale.push(`packages/${pkg}: ${src.file.slice(root.length + 1)} is newer than dist/`)
}
if (stale.length > 0) {
  console.error(`stale builds; run pnpm build:\n  ${stale.join('\n  ')}`)
  process.exit(1)
}
