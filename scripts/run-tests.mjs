#!/usr/bin/env node
// Runs every package's vitest project and ends with the line CI reads: "N passed, N failed".
// Extra arguments go to vitest (e.g. `pnpm test packages/index`). It builds first, so no test
// runs against a stale dist/.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Build first (turbo makes an unchanged tree a cache hit), then refuse a dist/ older than its src/.
for (const [cmd, args] of [
  ['pnpm', ['build']],
  ['node', ['scripts/check-fresh.mjs']],
]) {
  if (spawnSync(cmd, args, { stdio: 'inherit' }).status !== 0) {
    console.log('0 passed, 1 failed')
    process.exit(1)
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bbmesh-vitest-'))
const out = join(dir, 'results.json')
const run = spawnSync(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
)
let passed = 0
let failed = 0
let skipped = 0
try {
  const results = JSON.parse(readFileSync(out, 'utf8'))
  passed = results.numPassedTests
  failed = results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0)
  skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0)
  // A suite that failed to load has no tests in it; count it as a failure so it cannot hide.
  for (const suite of results.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed += 1
  }
} catch {
  failed += 1
}
rmSync(dir, { recursive: true, force: true })
const code = run.status ?? 1
if (code !== 0 && failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : ''))
process.exit(code !== 0 ? code : failed > 0 ? 1 : 0)
