/** Stable codes for every failure the index reports; callers (the CLI) switch on `code`, never on text. */
export type IndexErrorCode =
  | 'INDEX_LOCKED'
  | 'INDEX_CORRUPT'
  | 'INDEX_UNWRITABLE'
  | 'INDEX_SCHEMA'
  | 'INDEX_CLOSED'
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
