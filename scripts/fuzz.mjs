#!/usr/bin/env node
// `pnpm fuzz`: every package's test/fuzz targets with the long budget (10^6 inputs per target by
// default, each bounded by BBMESH_FUZZ_TIME_MS), one worker so the figures are per core. A crashing
// input is saved to its target's corpus (BBMESH_FUZZ_SAVE) for the normal suite to replay.
// Override: BBMESH_FUZZ_RUNS, BBMESH_FUZZ_TIME_MS, BBMESH_FUZZ_SEED; extra arguments go to vitest.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const dir = mkdtempSync(join(tmpdir(), 'bbmesh-fuzz-'))
const report = join(dir, 'report.ndjson')
const env = {
  ...process.env,
  BBMESH_FUZZ_RUNS: process.env.BBMESH_FUZZ_RUNS ?? '1000000',
  BBMESH_FUZZ_TIME_MS: process.env.BBMESH_FUZZ_TIME_MS ?? '600000',
  BBMESH_FUZZ_SAVE: '1',
  BBMESH_FUZZ_REPORT: report,
}
const args = process.argv.slice(2)
const run = spawnSync(
  'pnpm',
  ['exec', 'vitest', 'run', '--maxWorkers=1', ...(args.length > 0 ? args : ['test/fuzz/'])],
  { stdio: 'inherit', env },
)
let rows = []
try {
  rows = readFileSync(report, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
} catch {
  // No target reported: vitest's own output above says why.
}
rmSync(dir, { recursive: true, force: true })
console.log('\ntarget                     inputs    seconds  inputs/s  corpus  heap MB  result')
for (const r of rows) {
  const rate = Math.round(r.runs / Math.max(r.ms / 1000, 0.001))
  console.log(
    `${r.target.padEnd(26)} ${String(r.runs).padStart(8)} ${(r.ms / 1000).toFixed(1).padStart(9)} ` +
      `${String(rate).padStart(9)} ${String(r.corpus).padStart(7)} ${String(r.heapMb).padStart(8)}  ` +
      (r.failed ? 'CRASH' : 'ok'),
  )
}
const failed = rows.filter((r) => r.failed).length
console.log(`${rows.length - failed} passed, ${failed + (run.status !== 0 && failed === 0 ? 1 : 0)} failed`)
process.exit(run.status ?? 1)
