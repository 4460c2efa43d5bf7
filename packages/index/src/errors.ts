/** Stable codes for every failure the index reports; callers (the CLI) switch on `code`, never on text. */
export type IndexErrorCode =
  | 'INDEX_LOCKED'
  | 'INDEX_CORRUPT'
  | 'INDEX_UNWRITABLE'
  | 'INDEX_SCHEMA'
  | 'INDEX_CLOSED'
  | 'INDEX_UNAVAILABLE'
  | 'BAD_NDJSON'
  | 'BAD_INPUT'
  | 'MIGRATION_FAILED'

export class IndexError extends Error {
  override readonly name = 'IndexError'
  readonly code: IndexErrorCode

  constructor(code: IndexErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** better-sqlite3 reports SQLite result codes as `err.code` strings such as 'SQLITE_BUSY_SNAPSHOT'. */
function sqliteCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code
  return ''
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.split('\n')[0] ?? text
}

/**
 * Turns a better-sqlite3 failure into an IndexError with a one-line message, so the CLI can print it
 * without a stack trace. Errors that are already IndexErrors, or are not storage failures, pass through.
 */
export function toIndexError(err: unknown, where: string): unknown {
  if (err instanceof IndexError) return err
  const pg = pgIndexError(err, where)
  if (pg !== undefined) return pg
  const code = sqliteCode(err)
  const msg = firstLine(err)
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new IndexError('INDEX_LOCKED', `${where}: the index is locked by another process (${msg})`, {
      cause: err,
    })
  }
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new IndexError('INDEX_CORRUPT', `${where}: the index file is corrupt or not a database (${msg})`, {
      cause: err,
    })
  }
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_FULL') ||
    code.startsWith('SQLITE_IOERR') ||
    /directory does not exist|EACCES|EROFS|ENOENT/.test(msg)
  ) {
    return new IndexError('INDEX_UNWRITABLE', `${where}: cannot write the index (${msg})`, { cause: err })
  }
  return err
}

/** Node's network errors when a Postgres server cannot be reached or drops the connection. */
const NETWORK = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)$/

function pgSqlState(err: unknown): string | undefined {
  // pg's DatabaseError carries the five-character SQLSTATE in `code` and a `severity`.
  if (typeof err !== 'object' || err === null || !('severity' in err)) return undefined
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/**
 * Postgres failures by SQLSTATE class (appendix A of the Postgres manual): lock waits and deadlocks
 * are INDEX_LOCKED, a server that cannot be reached or refuses us INDEX_UNAVAILABLE, no space or no
 * privilege INDEX_UNWRITABLE, data corruption INDEX_CORRUPT.
 */
function pgIndexError(err: unknown, where: string): IndexError | undefined {
  const msg = firstLine(err)
  const net = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : ''
  if (NETWORK.test(net) || /Connection terminated|connection timeout/i.test(msg)) {
    return new IndexError('INDEX_UNAVAILABLE', `${where}: cannot reach the database server (${msg})`, {
      cause: err,
    })
  }
  const state = pgSqlState(err)
  if (state === undefined) return undefined
  const make = (code: IndexErrorCode, what: string) =>
    new IndexError(code, `${where}: ${what} (${msg})`, { cause: err })
  if (state === '55P03' || state === '40P01' || state === '40001')
    return make('INDEX_LOCKED', 'the index is locked by another writer')
  if (/^(08|28|3D|57P0)/.test(state) || state === '53300')
    return make('INDEX_UNAVAILABLE', 'the database server refused or dropped the connection')
  if (state === '42501' || state === '25006' || state.startsWith('53'))
    return make('INDEX_UNWRITABLE', 'cannot write the index')
  if (state.startsWith('XX')) return make('INDEX_CORRUPT', 'the database reports corruption')
  return undefined
}
