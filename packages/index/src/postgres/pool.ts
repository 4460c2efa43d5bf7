import pg from 'pg'

/** pg type OIDs (src/include/catalog/pg_type.dat): int8 and numeric come back as strings by default. */
const INT8_OID = 20
const NUMERIC_OID = 1700

/** True for the URLs openIndex hands to the Postgres backend instead of opening a file. */
export function isPostgresUrl(path: string): boolean {
  return /^postgres(ql)?:\/\//i.test(path)
}

/** The URL with any password replaced, for messages and `index.path`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@')
  }
}

/**
 * A pool whose bigint columns (sizes, ids, unix seconds, counts) read back as JS numbers, like
 * better-sqlite3's: every value the index stores is a safe integer. Per pool, not pg's global
 * parsers, so an application's own pg use is unaffected.
 */
export function createPool(url: string, max: number): pg.Pool {
  const types = {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v)
      return pg.types.getTypeParser(oid, format as 'text')
    }) as typeof pg.types.getTypeParser,
  }
  const pool = new pg.Pool({ connectionString: url, max, types, application_name: 'bbmesh-index' })
  // An idle client losing its server emits here; unhandled, that would crash the process. The next
  // query on the pool fails with the real error, which is what callers see.
  pool.on('error', () => {})
  return pool
}
