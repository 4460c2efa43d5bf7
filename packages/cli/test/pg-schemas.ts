import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { describe, it } from 'vitest'

// Postgres for the CLI's tests: BBMESH_TEST_PG_URL (scripts/pg-test-cluster.sh; .ci/run starts one).
// Without it the suites are skipped and say so; under CI=true that is a failure instead.
const PG_URL = process.env.BBMESH_TEST_PG_URL
const NOTE = 'postgres: skipped, BBMESH_TEST_PG_URL not set (eval "$(bash scripts/pg-test-cluster.sh start)")'

export interface PgSchemas {
  /** The URL of a new schema on the test server (connections use it through libpq's options). */
  fresh(): Promise<string>
  dropAll(): Promise<void>
}

function schemas(url: string): PgSchemas {
  const made: string[] = []
  const admin = async (text: string) => {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    try {
      await c.query(text)
    } finally {
      await c.end()
    }
  }
  return {
    async fresh() {
      const s = `bbmesh_cli_${randomBytes(6).toString('hex')}`
      await admin(`create schema ${s}`)
      made.push(s)
      const u = new URL(url)
      u.searchParams.set('options', `-c search_path=${s}`)
      return u.toString()
    },
    async dropAll() {
      for (const s of made.splice(0)) await admin(`drop schema if exists ${s} cascade`)
    },
  }
}

/** `describe` on the test server; the body creates its schemas with `pgs.fresh()` and drops them. */
export function describePostgres(title: string, body: (pgs: PgSchemas) => void): void {
  if (PG_URL !== undefined && PG_URL !== '') {
    describe(title, () => body(schemas(PG_URL)))
  } else if (process.env.CI === 'true') {
    describe(title, () => {
      it('has a Postgres server (CI=true: a skipped Postgres suite is a failure)', () => {
        throw new Error('BBMESH_TEST_PG_URL is not set; .ci/run should have started a cluster')
      })
    })
  } else {
    console.warn(`@bbmesh/cli ${NOTE}`)
    describe.skip(`${title} [${NOTE}]`, () => body(schemas('')))
  }
}
