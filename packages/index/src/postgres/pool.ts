import pg from 'pg'

/** pg type OIDs (src/include/catalog/pg_type.dat): int8 and numeric come back as strings by default. */
const INT8_OID = 20
const NUMERIC_OID = 1700

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
