import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from '../database.js'
import type { IndexStats } from '../types.js'

export type RootStats = Pick<IndexStats, 'filesWithRoot' | 'distinctRoots' | 'sharedRoots' | 'dedupBytes'>

/**
 * Dedup figures of the v2 file index: one pass over file_roots in key order (grouping by the leading
 * key column needs no sort), like stats' pass over torrents.
 */
export async function rootStats(db: Kysely<Database>): Promise<RootStats> {
  const r = await sql<{ files: number | null; roots: number; shared: number | null; saved: number | null }>`
    select sum(n) as files, count(*) as roots,
      sum(case when holders >= 2 then 1 else 0 end) as shared,
      sum(size * (n - 1)) as saved
    from (
      select pieces_root, max(size) as size, count(*) as n, count(distinct torrent_id) as holders
      from file_roots group by pieces_root
    ) g`.execute(db)
  const row = r.rows[0]
  return {
    filesWithRoot: Number(row?.files ?? 0),
    distinctRoots: Number(row?.roots ?? 0),
    sharedRoots: Number(row?.shared ?? 0),
    dedupBytes: Number(row?.saved ?? 0),
  }
}
