import { Migrator, NO_MIGRATIONS, PostgresAdapter, sql } from 'kysely'
import type { Kysely, Migration, MigrationProvider } from 'kysely'
import { IndexError, toIndexError } from '../errors.js'
import * as m001 from './001-core-tables.js'
import * as m002 from './002-torrent-fts.js'
import * as m003 from './003-file-roots.js'
import * as m004 from './004-torrent-liveness.js'
import * as pg001 from './pg/001-core-tables.js'
import * as pg002 from './pg/002-torrent-fts.js'
import * as pg003 from './pg/003-file-roots.js'
import * as pg004 from './pg/004-torrent-liveness.js'

/** Every migration, registered explicitly (no directory scanning), applied in key order. */
export const migrations: Readonly<Record<string, Migration>> = {
  '001-core-tables': m001,
  '002-torrent-fts': m002,
  '003-file-roots': m003,
  '004-torrent-liveness': m004,
}

/**
 * The Postgres twins, under the same names so that a schema version means the same tables on both
 * engines; they differ where the SQL must (column types, tsvector instead of FTS5).
 */
export const pgMigrations: Readonly<Record<string, Migration>> = {
  '001-core-tables': pg001,
  '002-torrent-fts': pg002,
  '003-file-roots': pg003,
  '004-torrent-liveness': pg004,
}

export const LATEST_MIGRATION = Object.keys(migrations).sort().at(-1) ?? ''

export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

async function migrator(db: Kysely<unknown>): Promise<Migrator> {
  if (!isPostgres(db)) {
    return new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } })
  }
  // Kysely looks for its migration tables by name in every schema unless told which one, so an index
  // in a second schema of the same database would find the first one's tables and never create its own.
  const r = await sql<{ s: string }>`select current_schema() as s`.execute(db)
  const schema = r.rows[0]?.s
  if (schema === undefined || schema === null)
    throw new IndexError('BAD_INPUT', 'the Postgres search_path names no existing schema')
  const provider: MigrationProvider = { getMigrations: async () => ({ ...pgMigrations }) }
  return new Migrator({ db, provider, migrationTableSchema: schema })
}

/**
 * Moves the schema to `target`: 'latest', 'none' (everything rolled back), or a migration name such as
 * '001-core-tables' (up or down as needed). Throws IndexError('MIGRATION_FAILED') naming the step.
 */
export async function migrateTo(db: Kysely<unknown>, target: 'latest' | 'none' | string): Promise<void> {
  const m = await migrator(db)
  if (target !== 'latest' && target !== 'none' && !(target in migrations)) {
    throw new IndexError('BAD_INPUT', `unknown migration '${target}'`)
  }
  const result =
    target === 'latest'
      ? await m.migrateToLatest()
      : await m.migrateTo(target === 'none' ? NO_MIGRATIONS : target)
  if (result.error !== undefined) {
    // A locked or corrupt file is that, not a broken migration.
    const storage = toIndexError(result.error, 'migrate')
    if (storage instanceof IndexError) throw storage
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown step'
    const why = result.error instanceof Error ? result.error.message : String(result.error)
    throw new IndexError('MIGRATION_FAILED', `migration ${failed} failed: ${why}`, { cause: result.error })
  }
}

/** Names of migrations not yet applied to `db`. */
export async function pendingMigrations(db: Kysely<unknown>): Promise<string[]> {
  const all = await (await migrator(db)).getMigrations()
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name)
}
