// What the crash harness checks in a SQLite index after a kill: SQLite's own integrity check, FTS5's
// integrity-check command on torrent_fts (migrations/002-torrent-fts.ts), and which infohashes are in.
import { createRequire } from 'node:module'

// better-sqlite3 is @bbmesh/index's dependency; the harness reads the file the way it does.
const require = createRequire(import.meta.resolve('@bbmesh/index'))
const Database = require('better-sqlite3')

/** Opens `path` read-write (FTS5's check is an INSERT), runs both checks; throws naming the failure. */
export function checkIntegrity(path) {
  const db = new Database(path)
  try {
    const ok = db.pragma('integrity_check', { simple: true })
    if (ok !== 'ok') throw new Error(`PRAGMA integrity_check: ${ok}`)
    db.exec(`insert into torrent_fts (torrent_fts, rank) values ('integrity-check', 0)`)
    return db.prepare('select count(*) from torrents').pluck().get()
  } finally {
    db.close()
  }
}

/** How many of `hexes` (v1 infohashes) are in the index at `path`. */
export function countPresent(path, hexes) {
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
