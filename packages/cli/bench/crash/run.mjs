#!/usr/bin/env node
// `pnpm crash`: kill -9 at random points during each write path of the real `bbmesh` binary, then
// check the index and restart (docs/RELIABILITY.md, issue 16 R4). Everything on 127.0.0.1.
//   BBMESH_CRASH_KILLS   kills per path (20)      BBMESH_CRASH_SEED   PRNG seed (16)
//   BBMESH_CRASH_PATHS   comma list of import,crawl,resolve,postgres (all; postgres needs
//                        BBMESH_TEST_PG_URL, see scripts/pg-test-cluster.sh)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seeded } from './child.mjs'
import { runPaths } from './paths.mjs'

const kills = Number(process.env.BBMESH_CRASH_KILLS ?? 20)
const seed = Number(process.env.BBMESH_CRASH_SEED ?? 16)
let paths = (process.env.BBMESH_CRASH_PATHS ?? 'import,crawl,resolve,postgres').split(',')
if (process.env.BBMESH_CRASH_PATHS === undefined && !process.env.BBMESH_TEST_PG_URL) {
  console.log(
    'crash postgres: skipped, BBMESH_TEST_PG_URL not set (eval "$(bash scripts/pg-test-cluster.sh start)")',
  )
  paths = paths.filter((p) => p !== 'postgres')
}
console.log(`crash: ${kills} kills per path, seed ${seed}, paths ${paths.join(',')}`)
const dir = mkdtempSync(join(tmpdir(), 'bbmesh-crash-'))
try {
  await runPaths({ dir, kills, rnd: seeded(seed), paths, log: (s) => console.log(s) })
} finally {
  rmSync(dir, { recursive: true, force: true })
}
