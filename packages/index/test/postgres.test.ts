import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { afterEach, expect, it } from 'vitest'
import { LATEST_MIGRATION, migrateTo, openIndex, pgMigrations } from '../src/index.js'
import type { PooledIndex } from '../src/index.js'
import { describePostgres } from './backends.js'
import { ensureBuilt } from './build.js'
import { ih1, torrent } from './helpers.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixture = join(here, 'fixtures', 'pg-writer.mjs')

async function tables(ix: PooledIndex): Promise<string[]> {
  const r = await sql<{ t: string }>`
    select tablename as t from pg_tables where schemaname = current_schema() order by 1`.execute(ix.db)
  return r.rows.map((x) => x.t)
}

function runWriter(url: string, w: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture, url, String(w)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`writer ${w} exited ${code}: ${err}`)),
    )
  })
}

describePostgres('postgres backend', (fresh) => {
  const open: PooledIndex[] = []
  afterEach(async () => {
    for (const ix of open.splice(0)) await ix.close()
  })
  const openAt = async (path: string, o: { readonly?: boolean; busyTimeoutMs?: number } = {}) => {
    const ix = await openIndex({ path, ...o })
    open.push(ix)
    return ix
  }

  it('migrates up and down in its own schema, and a read-only open refuses an older schema', async () => {
    const url = await fresh()
    const ix = await openAt(url)
    expect(await tables(ix)).toEqual([
      'file_lists',
      'file_roots',
      'kysely_migration',
      'kysely_migration_lock',
      'metadata_cache',
      'sightings',
      'torrent_fts',
      'torrents',
    ])
    const db = ix.db as unknown as Kysely<unknown>
    await migrateTo(db, '001-core-tables')
    expect(await tables(ix)).not.toContain('torrent_fts')
    await expect(openIndex({ path: url, readonly: true })).rejects.toMatchObject({ code: 'INDEX_SCHEMA' })
    await migrateTo(db, 'none')
    expect((await tables(ix)).filter((t) => !t.startsWith('kysely_'))).toEqual([])
    await migrateTo(db, 'latest')
    expect(Object.keys(pgMigrations).sort().at(-1)).toBe(LATEST_MIGRATION)
    await ix.ingest([torrent(1)])
    const ro = await openAt(url, { readonly: true })
    expect(await ro.has(ih1(1))).toBe(true)
    expect((await ro.search({ text: 'torrent 1' })).total).toBe(1)
    await expect(ro.ingest([torrent(2)])).rejects.toMatchObject({ code: 'INDEX_UNWRITABLE' })
    await expect(openIndex({ path: await fresh(), readonly: true })).rejects.toMatchObject({
      code: 'INDEX_SCHEMA',
    })
  })

  it('reports an unreachable server as INDEX_UNAVAILABLE without the password', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const err = await openIndex({ path: 'postgres://u:s3cret@127.0.0.1:1/x' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'INDEX_UNAVAILABLE' })
    expect(String((err as Error).message)).not.toContain('s3cret')
    const ix = await openAt(await fresh())
    expect(ix.path).toMatch(/^postgres:\/\//)
  })

  it('a writer waiting on another past busyTimeoutMs fails with INDEX_LOCKED', async () => {
    const url = await fresh()
    const ix = await openAt(url, { busyTimeoutMs: 200 })
    const other = new pg.Client({ connectionString: url })
    await other.connect()
    try {
      // Hold the advisory lock ingest takes for this infohash (its first 8 bytes, tx.ts).
      await other.query('begin')
      await other.query('select pg_advisory_xact_lock($1::bigint)', [
        Buffer.from(ih1(5)).readBigInt64BE(0).toString(),
      ])
      const t0 = Date.now()
      await expect(ix.ingest([torrent(5)])).rejects.toMatchObject({ code: 'INDEX_LOCKED' })
      expect(Date.now() - t0).toBeLessThan(10_000)
      // Another torrent is not blocked by it.
      expect(await ix.ingest([torrent(6)])).toMatchObject({ inserted: 1 })
      await other.query('rollback')
      expect(await ix.ingest([torrent(5)])).toMatchObject({ inserted: 1 })
    } finally {
      await other.end()
    }
  })

  it('keeps a name holding U+0000, which Postgres text cannot store, byte for byte', async () => {
    const ix = await openAt(await fresh())
    await ix.ingest([torrent(7, { name: 'nul\u0000name' })])
    const d = await ix.get(ih1(7))
    expect(Buffer.from(d!.nameRaw).toString()).toBe('nul\u0000name')
    expect(d!.name).toBe('nul\uFFFDname')
  })

  it('three writer processes into one database lose and duplicate nothing', { timeout: 90_000 }, async () => {
    ensureBuilt()
    const url = await fresh()
    const ix = await openAt(url) // migrated once here; the writers then only check the schema
    const done = await Promise.all([0, 1, 2].map((w) => runWriter(url, w)))
    expect(done).toEqual(['done 0', 'done 1', 'done 2'])
    const n = async (text: string) => {
      const pool = new pg.Pool({ connectionString: url, max: 1 })
      try {
        return Number((await pool.query(text)).rows[0].n)
      } finally {
        await pool.end()
      }
    }
    // 300 shared + 3 x 100 own + 50 hybrids, each one row, each with its search entry.
    expect(await n('select count(*) as n from torrents')).toBe(650)
    expect(await n('select count(*) as n from torrent_fts')).toBe(650)
    expect(await n('select count(*) as n from file_lists')).toBe(650)
    // Each shared torrent: 3 ingests + 3 sightings, whichever came first (folded or touched).
    expect(
      await n(`select count(*) as n from torrents where name like 'Concurrent.shared-%' and seen_count = 6`),
    ).toBe(300)
    // Each hybrid: its v1 half, v2 half and the whole from three writers merged into one row.
    expect(
      await n(`select count(*) as n from torrents where name like 'Concurrent.hybrid-%'
        and infohash_v1 is not null and infohash_v2 is not null and file_count = 2 and seen_count = 3`),
    ).toBe(50)
    // Sightings without metadata: 200, each seen by all three; none left for an ingested torrent.
    expect(await n('select count(*) as n from sightings where count = 3')).toBe(200)
    expect(await n('select count(*) as n from sightings')).toBe(200)
    const v1 = new Uint8Array(createHash('sha1').update('hybrid-7').digest())
    expect((await ix.get(v1))?.files).toHaveLength(2)
    expect((await ix.search({ text: 'concurrent hybrid 7' })).total).toBe(1)
  })
})
