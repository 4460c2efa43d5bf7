import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, it } from 'vitest'

// Runs a suite over both storage engines. Postgres needs a server: BBMESH_TEST_PG_URL (scripts/
// pg-test-cluster.sh starts a throwaway one; .ci/run does). Without it the Postgres half is skipped
// and says so, except under CI=true, where a skip would hide a broken set-up and fails instead.

export const PG_URL = process.env.BBMESH_TEST_PG_URL
const IN_CI = process.env.CI === 'true'
const SKIP_NOTE =
  'postgres: skipped, BBMESH_TEST_PG_URL not set (eval "$(bash scripts/pg-test-cluster.sh start)")'

export interface Engine {
  name: 'sqlite' | 'postgres'
  /** A path or URL where a new, empty index can be opened (its own schema on Postgres). */
  fresh(): Promise<string>
}

/** A URL on the same server whose connections use `schema` (libpq's options parameter). */
export function urlWithSchema(url: string, schema: string): string {
  const u = new URL(url)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return u.toString()
}

/** Creates throwaway schemas on the test server and drops them all (cascade) at the end. */
export function pgSchemas(url: string): { fresh(): Promise<string>; dropAll(): Promise<void> } {
  const made: string[] = []
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
    await c.connect()
    try {
      return await fn(c)
    } finally {
      await c.end()
    }
  }
  return {
    async fresh() {
      const schema = `bbmesh_test_${randomBytes(6).toString('hex')}`
      await admin((c) => c.query(`create schema ${schema}`))
      made.push(schema)
      return urlWithSchema(url, schema)
    },
    async dropAll() {
      if (made.length === 0) return
      const all = made.splice(0)
      await admin(async (c) => {
        for (const s of all) await c.query(`drop schema if exists ${s} cascade`)
      })
    },
  }
}

/**
 * `describe` that needs a Postgres server: `fresh()` gives the URL of a new schema, all dropped after
 * the suite. Skipped (and saying so) without BBMESH_TEST_PG_URL; a failure under CI=true.
 */
export function describePostgres(title: string, body: (fresh: () => Promise<string>) => void): void {
  if (PG_URL === undefined || PG_URL === '') {
    if (IN_CI) {
      describe(`${title} [postgres]`, () => {
        it('has a Postgres server (CI=true: a skipped Postgres suite is a failure)', () => {
          throw new Error('BBMESH_TEST_PG_URL is not set; .ci/run should have started a cluster')
        })
      })
    } else {
      describe.skip(`${title} [${SKIP_NOTE}]`, () => body(async () => ''))
      warnOnce()
    }
    return
  }
  const url = PG_URL
  describe(`${title} [postgres]`, () => {
    const schemas = pgSchemas(url)
    afterAll(() => schemas.dropAll())
    body(() => schemas.fresh())
  })
}

/** `describe` once per engine; the body gets the engine to open indexes with. */
export function describeEngines(title: string, body: (engine: Engine) => void): void {
  describe(`${title} [sqlite]`, () => body({ name: 'sqlite', fresh: async () => ':memory:' }))
  describePostgres(title, (fresh) => body({ name: 'postgres', fresh }))
}

let warned = false
function warnOnce(): void {
  if (warned) return
  warned = true
  console.warn(`@bbmesh/index ${SKIP_NOTE}`)
}
