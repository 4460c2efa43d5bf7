import { Kysely, PostgresDialect, sql } from 'kysely'
import {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_CACHE_BUDGET_BYTES,
  INFOHASH_V1_BYTES,
  INFOHASH_V2_BYTES,
} from '../constants.js'
import type { IndexBackend } from '../backend.js'
import type { Database } from '../database.js'
import { IndexError } from '../errors.js'
import { LATEST_MIGRATION, migrateTo, pgMigrations } from '../migrations/index.js'
import { PooledIndex } from '../pooled-index.js'
import type { OpenIndexOptions } from '../types.js'
import { v2PrefixRange } from '../write/statements.js'
import { postgresFullText } from './full-text.js'
import { PgMetadataCache } from './metadata-cache.js'
import { createPool } from './pool.js'
import { redactUrl } from './url.js'
import type pg from 'pg'
import { pgRemoveTorrents } from './remove.js'
import { bytea, run } from './statements.js'
import { recordLivenessPg } from './liveness.js'
import { PgWriter } from './writer.js'

/** Connections per open index: a crawl reads while it writes; more only queue on the server. */
const POOL_SIZE = 4
const TABLES = ['torrents', 'file_lists', 'file_roots', 'sightings', 'metadata_cache', 'torrent_fts']

/**
 * Opens the index in the Postgres database at `opts.path` (a postgres:// URL; a schema other than
 * public is chosen the libpq way, `?options=-c%20search_path%3Dname`) and migrates it.
 */
export async function openPostgresIndex(opts: OpenIndexOptions): Promise<PooledIndex> {
  const readonly = opts.readonly === true
  const lockTimeoutMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS
  const pool = createPool(opts.path, POOL_SIZE)
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  try {
    if (readonly) await checkSchema(db)
    else await migrateTo(db as Kysely<unknown>, 'latest')
  } catch (err) {
    await db.destroy().catch(() => {})
    throw err
  }
  const cache = new PgMetadataCache(
    pool,
    opts.cacheBudgetBytes ?? DEFAULT_CACHE_BUDGET_BYTES,
    readonly,
    lockTimeoutMs,
  )
  const writer = readonly ? undefined : new PgWriter(pool, cache, lockTimeoutMs)
  return new PooledIndex({
    db,
    path: redactUrl(opts.path),
    backend: postgresBackend(db, pool, cache, writer, lockTimeoutMs),
  })
}

function postgresBackend(
  db: Kysely<Database>,
  pool: pg.Pool,
  cache: PgMetadataCache,
  writer: PgWriter | undefined,
  lockTimeoutMs: number,
): IndexBackend {
  const writable = (where: string): PgWriter => {
    if (writer === undefined)
      throw new IndexError('INDEX_UNWRITABLE', `${where}: the index was opened read-only`)
    return writer
  }
  return {
    writable: writer !== undefined,
    fullText: postgresFullText(db),
    ingest: (t) => writable('ingest').ingest(t),
    recordSightings: (s) => writable('record sightings').recordSightings(s),
    recordLiveness: async (entries) => {
      writable('record liveness')
      return recordLivenessPg(pool, entries)
    },
    removeTorrents: async (ihs, o) => {
      writable('remove')
      return pgRemoveTorrents(pool, lockTimeoutMs, ihs, o)
    },
    has: async (ih) => {
      if (ih.length === INFOHASH_V2_BYTES) return (await run(pool, 'hasV2', [bytea(ih)])).length > 0
      // BEP 52: a 20-byte key also matches the v2 range that starts with it (as read/exists.ts).
      const [lo, hi] = v2PrefixRange(ih.subarray(0, INFOHASH_V1_BYTES))
      return (await run(pool, 'has', [bytea(ih), bytea(lo), bytea(hi)])).length > 0
    },
    cachePut: (ih, info) => cache.put(ih, info),
    cacheGet: (ih, touch) => cache.get(ih, touch),
    // The index's own tables (with their indexes and TOAST) in its schema, not the whole database,
    // which may hold other schemas.
    dbBytes: async () => {
      const r = await sql<{ n: number }>`
        select coalesce(sum(pg_total_relation_size(c.oid)), 0) as n from pg_class c
        join pg_namespace s on s.oid = c.relnamespace
        where s.nspname = current_schema() and c.relkind = 'r' and c.relname in (${sql.join(TABLES)})`.execute(
        db,
      )
      return Number(r.rows[0]?.n ?? 0)
    },
    // Postgres checks its own pages (checksums, WAL); without the amcheck extension there is no
    // user-level scan, so this confirms the index's tables answer.
    integrityCheck: async () => {
      const r = await sql<{ n: number }>`select count(*)::int as n from torrents where false`.execute(db)
      return r.rows.length === 1 ? [] : ['torrents table did not answer']
    },
  }
}

/** A read-only handle cannot migrate, so it refuses a schema other than the one this code knows. */
async function checkSchema(db: Kysely<Database>): Promise<void> {
  let applied: string[]
  try {
    const r = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)
    applied = r.rows.map((x) => x.name)
  } catch (err) {
    // 42P01 undefined_table; anything else (no server, bad password) is reported as what it is.
    if ((err as { code?: string }).code !== '42P01') throw err
    throw new IndexError('INDEX_SCHEMA', 'not a bbmesh index (no migration table); open it writable once')
  }
  const known = Object.keys(pgMigrations).sort()
  if (applied.at(-1) !== LATEST_MIGRATION || applied.some((n) => !known.includes(n))) {
    throw new IndexError(
      'INDEX_SCHEMA',
      `index schema is at ${applied.at(-1) ?? 'nothing'}, this code expects ${LATEST_MIGRATION}`,
    )
  }
}
