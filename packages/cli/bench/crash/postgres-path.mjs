// Crash path: `bbmesh import` into Postgres (--db postgres://…, BBMESH_TEST_PG_URL from
// scripts/pg-test-cluster.sh), each round in a fresh schema. Killed like the SQLite import; then
// checked: every reported batch present and the in-flight one all or nothing, every torrent with its
// file list and full-text row and no orphans (the tables one ingest transaction writes together),
// and a restart completes with every torrent in.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import pg from 'pg'
import { runBbmesh } from './child.mjs'
import { BATCH, importKilled, ndjson } from './import-path.mjs'

async function withClient(url, fn) {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

/** Row count, after checking the three tables agree; throws naming what does not. */
async function checkPg(url, schema, hexes) {
  return withClient(url, async (c) => {
    await c.query(`set search_path = ${schema}`)
    // A kill before the migrations ran leaves the schema empty: nothing to check yet.
    const tables = await c.query(`select table_name from information_schema.tables where table_schema = $1`, [
      schema,
    ])
    const names = new Set(tables.rows.map((r) => r.table_name))
    if (!names.has('torrents')) return { rows: 0, present: 0, schema: names.size }
    if (!names.has('torrent_fts') || !names.has('file_lists'))
      throw new Error(`postgres ${schema}: tables ${[...names]}`)
    const one = async (q) => Number((await c.query(q)).rows[0].n)
    const rows = await one('select count(*) as n from torrents')
    const noFts = await one(
      'select count(*) as n from torrents t where not exists (select 1 from torrent_fts f where f.id = t.id)',
    )
    const noFiles = await one(
      'select count(*) as n from torrents t where not exists (select 1 from file_lists f where f.torrent_id = t.id)',
    )
    const orphans = await one(
      'select count(*) as n from torrent_fts f where not exists (select 1 from torrents t where t.id = f.id)',
    )
    if (noFts || noFiles || orphans)
      throw new Error(
        `postgres ${schema}: ${noFts} torrents without fts, ${noFiles} without files, ${orphans} orphan fts rows`,
      )
    const present = hexes.length
      ? Number(
          (
            await c.query('select count(*) as n from torrents where infohash_v1 = any($1)', [
              hexes.map((h) => Buffer.from(h, 'hex')),
            ])
          ).rows[0].n,
        )
      : 0
    return { rows, present }
  })
}

export async function postgresPath({ dir, home, kills, rnd, env, torrents = 10_000 }) {
  const url = env.BBMESH_TEST_PG_URL
  if (!url)
    throw new Error('postgres: BBMESH_TEST_PG_URL not set (eval "$(bash scripts/pg-test-cluster.sh start)")')
  const file = join(dir, 'crash.ndjson')
  const hexes = ndjson(file, torrents)
  const batches = Math.ceil(torrents / BATCH)
  const rounds = []
  for (let k = 0; k < kills; k++) {
    const schema = `bbmesh_crash_${randomBytes(5).toString('hex')}`
    await withClient(url, (c) => c.query(`create schema ${schema}`))
    const u = new URL(url)
    u.searchParams.set('options', `-c search_path=${schema}`)
    const args = ['--db', u.toString(), '--json', 'import', file, '--batch', String(BATCH)]
    try {
      const { killed, committed } = await importKilled(args, { home, rnd, batches, earlyMs: 600 })
      if (!killed.killed)
        throw new Error(`postgres round ${k}: not killed (exit ${killed.code}): ${killed.stderr}`)
      const round = { path: 'postgres', k, killed: true, committed }
      const after = await checkPg(url, schema, hexes.slice(0, committed))
      round.rowsAfterKill = after.rows
      if (after.schema !== undefined) round.schema = 0
      if (after.present !== committed)
        throw new Error(`postgres round ${k}: ${committed} reported committed, ${after.present} present`)
      const extra = after.rows - committed
      if (extra !== 0 && extra !== Math.min(BATCH, torrents - committed))
        throw new Error(`postgres round ${k}: ${committed} reported, ${after.rows} rows: a partial batch`)
      const restart = await runBbmesh(args, { home })
      if (restart.code !== 0)
        throw new Error(`postgres round ${k}: restart exit ${restart.code}: ${restart.stderr}`)
      const done = await checkPg(url, schema, hexes)
      round.rowsAfterRestart = done.rows
      if (done.rows !== torrents || done.present !== torrents)
        throw new Error(`postgres round ${k}: restart left ${done.rows} of ${torrents}`)
      rounds.push(round)
    } finally {
      await withClient(url, (c) => c.query(`drop schema if exists ${schema} cascade`))
    }
  }
  return rounds
}
