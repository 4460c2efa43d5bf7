import Database from 'better-sqlite3'
const db = new Database('/tmp/prof100k.db', { readonly: true })
const sql = `select t.id, t.name, w.rank from (
      select torrent_fts.rowid as id, bm25(torrent_fts, 10.0, 1.0, 0.0) as rank from torrent_fts
      where torrent_fts match ? order by torrent_fts.rowid desc limit ?
    ) w cross join torrents t on t.id = w.id order by w.rank, w.id desc limit ? offset ?`
console.log(
  db
    .prepare('explain query plan ' + sql)
    .all('{name paths} : ("way")', 2000, 20, 0)
    .map((r) => r.detail),
)
const st = db.prepare(sql)
for (const m of ['{name paths} : ("way")', '{name paths} : ("1080p" AND "web")']) {
  st.all(m, 2000, 20, 0)
  const t0 = performance.now()
  st.all(m, 2000, 20, 0)
  console.log(m, (performance.now() - t0).toFixed(2))
}
const sql2 = `with w as materialized (
      select torrent_fts.rowid as id, bm25(torrent_fts, 10.0, 1.0, 0.0) as rank from torrent_fts
      where torrent_fts match ? order by torrent_fts.rowid desc limit ?
    ), top as materialized (select id, rank from w order by rank, id desc limit ? offset ?)
    select t.id, t.name, top.rank from top cross join torrents t on t.id = top.id order by top.rank, top.id desc`
console.log(
  db
    .prepare('explain query plan ' + sql2)
    .all('{name paths} : ("way")', 2000, 20, 0)
    .map((r) => r.detail),
)
const st2 = db.prepare(sql2)
for (const m of ['{name paths} : ("way")', '{name paths} : ("1080p" AND "web")']) {
  st2.all(m, 2000, 20, 0)
  const t0 = performance.now()
  st2.all(m, 2000, 20, 0)
  console.log(m, (performance.now() - t0).toFixed(2))
}
