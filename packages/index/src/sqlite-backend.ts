import { statSync } from 'node:fs'
import type BetterSqlite3 from 'better-sqlite3'
import type { Kysely } from 'kysely'
import type { IndexBackend } from './backend.js'
import type { Database } from './database.js'
import { IndexError } from './errors.js'
import { createExistsCheck, type ExistsCheck } from './read/exists.js'
import { sqliteFullText } from './search/fts5.js'
import { prepareLiveness, recordLivenessSqlite, type LivenessStatements } from './write/liveness.js'
import type { MetadataCacheStore } from './write/metadata-cache.js'
import { removeTorrents } from './write/remove.js'
import type { Writer } from './write/writer.js'

/**
 * The SQLite engine: one writer per file. Writes are synchronous better-sqlite3 transactions, so they
 * never interleave with each other or with reads on this handle.
 */
export function sqliteBackend(parts: {
  db: Kysely<Database>
  raw: BetterSqlite3.Database
  path: string
  cache: MetadataCacheStore
  writer: Writer | undefined
}): IndexBackend {
  const { raw, path, cache, writer } = parts
  let exists: ExistsCheck | undefined
  let liveness: LivenessStatements | undefined
  const writable = (where: string): Writer => {
    if (writer === undefined)
      throw new IndexError('INDEX_UNWRITABLE', `${where}: the index was opened read-only`)
    return writer
  }
  return {
    writable: writer !== undefined,
    fullText: sqliteFullText(parts.db),
    ingest: async (t) => writable('ingest').ingest(t),
    recordSightings: async (s) => writable('record sightings').recordSightings(s),
    recordLiveness: async (entries) => {
      writable('record liveness')
      return recordLivenessSqlite(raw, (liveness ??= prepareLiveness(raw)), entries)
    },
    removeTorrents: async (ihs, opts) => {
      writable('remove')
      return removeTorrents(raw, ihs, opts)
    },
    has: async (ih) => (exists ??= createExistsCheck(raw))(ih),
    cachePut: async (ih, info) => cache.put(ih, info),
    cacheGet: async (ih, touch) => cache.get(ih, touch),
    dbBytes: async () => {
      const pages = raw.pragma('page_count', { simple: true }) as number
      const pageSize = raw.pragma('page_size', { simple: true }) as number
      let wal = 0
      if (path !== ':memory:' && path !== '') {
        try {
          wal = statSync(`${path}-wal`).size
        } catch {
          wal = 0 // no WAL file right after a checkpoint-on-close
        }
      }
      return pages * pageSize + wal
    },
    // Reads every page, so it takes a while on a large index.
    integrityCheck: async (maxErrors) => {
      const rows = raw.pragma(`integrity_check(${Math.max(1, Math.floor(maxErrors))})`) as {
        integrity_check: string
      }[]
      const found = rows.map((r) => r.integrity_check)
      return found.length === 1 && found[0] === 'ok' ? [] : found
    },
  }
}
