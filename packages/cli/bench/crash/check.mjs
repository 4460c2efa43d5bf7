// What the crash harness checks in a SQLite index after a kill: SQLite's own integrity check, FTS5's
// integrity-check command on torrent_fts (migrations/002-torrent-fts.ts), and which infohashes are in.
import { createRequire } from 'node:module'

// better-sqlite3 is @bbmesh/index's dependency; the harness reads the file the way it does.
const require = createRequire(import.meta.resolve('@bbmesh/index'))
const Database = require('better-sqlite3')

const hasTable = (db, name) =>
  db.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).pluck().get(name) !== undefined

/** Tables the migrations have created so far: a kill during startup may leave fewer than all. */
export const schemaTables = (path) => {
  const db = new Database(path, { readonly: true })
  try {
    return ['torrents', 'torrent_fts'].filter((t) => hasTable(db, t))
  } finally {
    db.close()
  }
}

/**
 * Opens `path` read-write (FTS5's check is an INSERT), runs both checks and returns the torrent
 * count; throws naming the failure. A file killed before the migrations ran has no tables yet (0).
 */
export function checkIntegrity(path) {
  const db = new Database(path)
  try {
    const ok = db.pragma('integrity_check', { simple: true })
    if (ok !== 'ok') throw new Error(`PRAGMA integrity_check: ${ok}`)
    if (hasTable(db, 'torrent_fts'))
      db.exec(`insert into torrent_fts (torrent_fts, rank) values ('integrity-check', 0)`)
    return hasTable(db, 'torrents') ? db.prepare('select count(*) from torrents').pluck().get() : 0
  } finally {
    db.close()
  }
}

/** How many of `hexes` (v1 infohashes) are in the index at `path`. */
export function countPresent(path, hexes) {
  if (hexes.length === 0) return 0
  const db = new Database(path, { readonly: true })
  try {
    const q = db.prepare('select 1 from torrents where infohash_v1 = ?').pluck()
    let n = 0
    for (const h of hexes) if (q.get(Buffer.from(h, 'hex')) !== undefined) n++
    return n
  } finally {
    db.close()
  }
}

/** Every v1 infohash in the index, hex. */
export function allV1(path) {
  const db = new Database(path, { readonly: true })
  try {
    if (!hasTable(db, 'torrents')) return new Set()
    return new Set(
      db
        .prepare('select infohash_v1 from torrents where infohash_v1 is not null')
        .pluck()
        .all()
        .map((b) => Buffer.from(b).toString('hex')),
    )
  } finally {
    db.close()
  }
}
