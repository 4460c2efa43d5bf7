import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { LATEST_MIGRATION, migrateTo, migrations, openIndex } from '../src/index.js'
import { ih1, tempDir, torrent } from './helpers.js'

function tables(raw: BetterSqlite3.Database): string[] {
  return (
    raw
      .prepare("select name from sqlite_master where type in ('table', 'index') and name not like 'sqlite_%'")
      .pluck()
      .all() as string[]
  ).sort()
}

describe('migrations', () => {
  let raw: BetterSqlite3.Database | undefined
  afterEach(() => raw?.close())

  it('runs every migration up then down on a fresh database, leaving only kysely bookkeeping', async () => {
    raw = new BetterSqlite3(':memory:')
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) })
    await migrateTo(db, 'latest')
    const up = tables(raw)
    for (const t of ['torrents', 'file_lists', 'file_roots', 'sightings', 'metadata_cache', 'torrent_fts'])
      expect(up).toContain(t)
    expect(raw.prepare('select name from kysely_migration order by name').pluck().all()).toEqual(
      Object.keys(migrations).sort(),
    )

    await migrateTo(db, '002-torrent-fts')
    expect(tables(raw)).not.toContain('file_roots')
    await migrateTo(db, '001-core-tables')
    expect(tables(raw)).not.toContain('torrent_fts')
    expect(tables(raw)).toContain('torrents')

    await migrateTo(db, 'none')
    expect(tables(raw).filter((t) => !t.startsWith('kysely_'))).toEqual([])

    // And back up again: down really undid everything up created.
    await migrateTo(db, 'latest')
    expect(tables(raw)).toEqual(up)
    raw = undefined
    await db.destroy()
  })

  it('rejects an unknown target', async () => {
    raw = new BetterSqlite3(':memory:')
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) })
    await expect(migrateTo(db, '999-nope')).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })

  it('openIndex migrates to latest; a read-only open works on a migrated file and refuses an old schema', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const path = `${dir}/i.db`
      const ix = await openIndex({ path })
      await ix.ingest([torrent(1)])
      await ix.close()
      const ro = await openIndex({ path, readonly: true })
      expect(await ro.has(ih1(1))).toBe(true)
      await expect(ro.ingest([torrent(2)])).rejects.toMatchObject({ code: 'INDEX_UNWRITABLE' })
      await ro.close()

      const old = `${dir}/old.db`
      raw = new BetterSqlite3(old)
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) })
      await migrateTo(db, '001-core-tables')
      await db.destroy()
      raw = undefined
      await expect(openIndex({ path: old, readonly: true })).rejects.toMatchObject({ code: 'INDEX_SCHEMA' })
      // A writable open brings it to the latest schema.
      const w = await openIndex({ path: old })
      await w.close()
      expect(LATEST_MIGRATION).toBe('004-torrent-liveness')
      const ok = await openIndex({ path: old, readonly: true })
      await ok.close()
    } finally {
      cleanup()
    }
  })
})
