// Crash path: `bbmesh import` of a generated NDJSON file. Each round starts a fresh index, SIGKILLs
// the import at a random point (during startup and migration, between transactions, or inside one),
// then checks the file's integrity and that every batch the child reported committed is there in
// full; then restarts the same import on that file and checks it completes with every torrent in.
import { createHash } from 'node:crypto'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkIntegrity, countPresent, schemaTables } from './check.mjs'
import { runBbmesh } from './child.mjs'

export const BATCH = 200

export function ndjson(file, n) {
  const hexes = []
  const lines = []
  for (let i = 0; i < n; i++) {
    const h = createHash('sha1').update(`crash import ${i}`).digest('hex')
    hexes.push(h)
    lines.push(
      JSON.stringify({
        infohashV1: h,
        name: `Crash import ${i} ${i % 7 ? 'linux iso' : 'movie 1080p'}`,
        pieceLength: 16384,
        files: [{ path: `crash-${i}/file-${i}.bin`, size: 1000 + i }],
        source: 'import',
      }),
    )
  }
  writeFileSync(file, lines.join('\n') + '\n')
  return hexes
}

/**
 * Runs an `import --json` and kills it at a random point: 0–30 ms after a random reported batch
 * (often inside the next transaction), or in one round of eight 0–`earlyMs` ms after spawn
 * (startup, migrations, the first transaction). Resolves with the kill and the last batch reported.
 */
export async function importKilled(args, { home, rnd, batches, earlyMs }) {
  const early = rnd() < 0.125
  const atBatch = 1 + Math.floor(rnd() * (batches - 1))
  const delay = Math.floor(rnd() * (early ? earlyMs : 30))
  let committed = 0
  const killed = await runBbmesh(args, {
    home,
    ...(early && { killAfterMs: delay }),
    onLine: (l, killIn) => {
      if (l.event !== 'batch') return
      committed = l.committed
      if (!early && committed === atBatch * BATCH) killIn(delay)
    },
  })
  return { killed, committed }
}

export async function importPath({ dir, home, kills, rnd, torrents = 20_000 }) {
  const file = join(dir, 'crash.ndjson')
  const hexes = ndjson(file, torrents)
  const batches = Math.ceil(torrents / BATCH)
  const rounds = []
  for (let k = 0; k < kills; k++) {
    const db = join(dir, `import-${k}.db`)
    const args = ['--db', db, '--json', 'import', file, '--batch', String(BATCH)]
    const { killed, committed } = await importKilled(args, { home, rnd, batches, earlyMs: 400 })
    const round = { path: 'import', k, killed: killed.killed, committed }
    if (!killed.killed)
      throw new Error(`import round ${k}: not killed (exit ${killed.code}): ${killed.stderr}`)
    round.rowsAfterKill = checkIntegrity(db)
    round.schema = existsSync(db) ? schemaTables(db).length : 0
    // The batch in flight at the kill is all there or not at all.
    const extra = round.rowsAfterKill - committed
    if (extra !== 0 && extra !== Math.min(BATCH, torrents - committed))
      throw new Error(
        `import round ${k}: ${committed} reported, ${round.rowsAfterKill} rows: a partial batch`,
      )
    // Lines go in file order, one transaction per batch: the first `committed` are all in.
    const present = countPresent(db, hexes.slice(0, committed))
    if (present !== committed)
      throw new Error(`import round ${k}: ${committed} reported committed, ${present} present`)
    const restart = await runBbmesh(args, { home })
    if (restart.code !== 0)
      throw new Error(`import round ${k}: restart exit ${restart.code}: ${restart.stderr}`)
    round.rowsAfterRestart = checkIntegrity(db)
    if (round.rowsAfterRestart !== torrents || countPresent(db, hexes) !== torrents)
      throw new Error(`import round ${k}: restart left ${round.rowsAfterRestart} of ${torrents}`)
    for (const p of [db, `${db}-wal`, `${db}-shm`]) rmSync(p, { force: true })
    rounds.push(round)
  }
  return rounds
}
