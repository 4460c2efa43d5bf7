// kill -9 crash safety, CI size: the `pnpm crash` harness (bench/crash/) with a few kills per path.
// The real binary is SIGKILLed at random points of an NDJSON import and of a crawl on a loopback
// testnet (and of an import into Postgres when BBMESH_TEST_PG_URL is set); after each kill the index
// passes PRAGMA integrity_check and FTS5's integrity-check, holds every batch the child reported
// committed, and a restart completes. Catalog resolve is only in the full run (its rounds take
// 20–30 s each here). The harness throws naming the round that failed a check.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

interface PathSummary {
  path: string
  killed: number
  rounds: { committed: number; rowsAfterKill: number; rowsAfterRestart: number }[]
}
type RunPaths = (opts: {
  dir: string
  kills: number
  rnd: () => number
  paths: string[]
}) => Promise<PathSummary[]>

const harness = (await import('../bench/crash/paths.mjs' as string)) as { runPaths: RunPaths }
const { seeded } = (await import('../bench/crash/child.mjs' as string)) as {
  seeded: (s: number) => () => number
}

const dir = mkdtempSync(join(tmpdir(), 'bbmesh-crash-ci-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('kill -9 at random points (CI size of pnpm crash)', () => {
  it('import: 3 kills, each followed by checks and a completed restart', { timeout: 60_000 }, async () => {
    const [s] = await harness.runPaths({ dir, kills: 3, rnd: seeded(16), paths: ['import'] })
    expect(s!.killed).toBe(3)
    for (const r of s!.rounds) expect(r.rowsAfterRestart).toBe(20_000)
  })

  it('crawl: 2 kills on a loopback testnet', { timeout: 90_000 }, async () => {
    const [s] = await harness.runPaths({ dir, kills: 2, rnd: seeded(17), paths: ['crawl'] })
    expect(s!.killed).toBe(2)
    for (const r of s!.rounds) expect(r.rowsAfterRestart).toBeGreaterThanOrEqual(r.committed)
  })

  it.runIf(process.env.BBMESH_TEST_PG_URL)('postgres import: 2 kills', { timeout: 60_000 }, async () => {
    const [s] = await harness.runPaths({ dir, kills: 2, rnd: seeded(18), paths: ['postgres'] })
    expect(s!.killed).toBe(2)
  })
})
