import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { decodeFileList } from '../codec/file-list.js'
import { rootedFiles } from '../write/file-roots.js'

// Fills file_roots from the file lists already stored (they carry each file's pieces root since
// migration 001), for both engines: portable SQL through kysely, keyset-paged so one batch of lists
// is in memory at a time. Used by migration 003 on SQLite and on Postgres.

const LISTS_PER_BATCH = 500
/** Rows per insert statement: 4 parameters each, well under SQLite's 32,766-parameter limit. */
const ROWS_PER_INSERT = 500

const buf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)

export async function backfillFileRoots(db: Kysely<unknown>): Promise<number> {
  let after = -1
  let rows = 0
  for (;;) {
    const lists = await sql<{ torrent_id: number; data: Uint8Array }>`
      select torrent_id, data from file_lists where torrent_id > ${after}
      order by torrent_id limit ${LISTS_PER_BATCH}`.execute(db)
    if (lists.rows.length === 0) return rows
    const values = lists.rows.flatMap((l) =>
      rootedFiles(decodeFileList(l.data)).map(
        (f) => sql`(${buf(f.root)}, ${Number(l.torrent_id)}, ${f.index}, ${f.size})`,
      ),
    )
    for (let i = 0; i < values.length; i += ROWS_PER_INSERT) {
      await sql`insert into file_roots (pieces_root, torrent_id, file_index, size)
        values ${sql.join(values.slice(i, i + ROWS_PER_INSERT))} on conflict do nothing`.execute(db)
    }
    rows += values.length
    after = Number(lists.rows.at(-1)!.torrent_id)
  }
}
