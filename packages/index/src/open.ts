import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_CACHE_BUDGET_BYTES } from './constants.js'
import type { Database } from './database.js'
import { IndexError, toIndexError } from './errors.js'
import { LATEST_MIGRATION, migrateTo, migrations } from './migrations/index.js'
import { PooledIndex } from './pooled-index.js'
import { isPostgresUrl, redactUrl } from './postgres/url.js'
import { sqliteBackend } from './sqlite-backend.js'
import type { OpenIndexOptions } from './types.js'
import { MetadataCacheStore } from './write/metadata-cache.js'
import { Writer } from './write/writer.js'

function checkOptions(opts: OpenIndexOptions): void {
  if (typeof opts !== 'object' || opts === null || typeof opts.path !== 'string' || opts.path === '') {
    throw new IndexError('BAD_INPUT', 'openIndex needs { path }')
  }
  for (const k of ['cacheBudgetBytes', 'busyTimeoutMs'] as const) {
    const v = opts[k]
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0))
      throw new IndexError('BAD_INPUT', `${k} must be >= 0`)
  }
}

/**
 * Opens (creating if needed) the index at `path` and migrates it to the latest schema. A path that is
 * a postgres:// (or postgresql://) URL opens the index in that Postgres database instead of a file.
 */
export async function openIndex(opts: OpenIndexOptions): Promise<PooledIndex> {
  checkOptions(opts)
  if (isPostgresUrl(opts.path)) {
    const where = `open ${redactUrl(opts.path)}`
    try {
      // Loaded on first use: `pg` costs every SQLite user's process start otherwise.
      const { openPostgresIndex } = await import('./postgres/open.js')
      return await openPostgresIndex(opts)
    } catch (err) {
      throw toIndexError(err, where)
    }
  }
  const readonly = opts.readonly === true
  const where = `open ${opts.path}`
  let raw: BetterSqlite3.Database | undefined
  try {
    raw = new BetterSqlite3(opts.path, {
      readonly,
      fileMustExist: readonly,
      timeout: opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
    })
    // The first statement reads the header: "file is not a database" surfaces here.
    if (!readonly) {
      raw.pragma('journal_mode = WAL')
      // With WAL, NORMAL only risks the last transactions on power loss, never corruption.
      raw.pragma('synchronous = NORMAL')
    } else {
      raw.pragma('schema_version')
    }
    raw.pragma('cache_size = -65536')
    raw.pragma('temp_store = MEMORY')
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) })
    if (readonly) checkSchema(raw)
    else await migrateTo(db as Kysely<unknown>, 'latest')
    const cache = new MetadataCacheStore(raw, opts.cacheBudgetBytes ?? DEFAULT_CACHE_BUDGET_BYTES, readonly)
    const writer = readonly ? undefined : new Writer(raw, cache)
    return new PooledIndex({
      db,
      path: opts.path,
      backend: sqliteBackend({ db, raw, path: opts.path, cache, writer }),
    })
  } catch (err) {
    try {
      raw?.close()
    } catch {
      // already failing; the original error matters
    }
    const mapped = toIndexError(err, where)
    if (mapped instanceof IndexError) throw mapped
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err)
    throw new IndexError('INDEX_CORRUPT', `${where}: ${msg}`, { cause: err })
  }
}

/** A read-only handle cannot migrate, so it refuses a schema other than the one this code knows. */
function checkSchema(raw: BetterSqlite3.Database): void {
  let applied: string[]
  try {
    applied = raw.prepare('select name from kysely_migration order by name').pluck().all() as string[]
  } catch {
    throw new IndexError('INDEX_SCHEMA', 'not a bbmesh index (no migration table); open it writable once')
  }
  const known = Object.keys(migrations).sort()
  if (applied.at(-1) !== LATEST_MIGRATION || applied.some((n) => !known.includes(n))) {
    throw new IndexError(
      'INDEX_SCHEMA',
      `index schema is at ${applied.at(-1) ?? 'nothing'}, this code expects ${LATEST_MIGRATION}`,
    )
  }
}
