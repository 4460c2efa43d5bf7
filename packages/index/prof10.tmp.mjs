import Database from 'better-sqlite3'
import { tokenize } from './dist-bench/src/index.js'
import { generateBatch, makeVocab, rng } from './dist-bench/bench/generate.js'
import { matchExpression } from './dist-bench/src/search/fts5.js'
import { parseQueryText } from './dist-bench/src/search/tokenize.js'
const db = new Database('/tmp/prof100k.db', { readonly: true })
db.pragma('cache_size = -65536')
const v = makeVocab(42); const r = rng(9)
const qs = []
for (const b of [5, 33, 61, 90]) for (const t of generateBatch(42, v, b, 1000).slice(0, 100)) {
  const words = t.name.split(/[\s.\-_[\]()]+/).filter((w) => tokenize(w).length > 0)
  const start = Math.floor(r() * Math.max(1, words.length - 2)); const len = 1 + Math.floor(r() * 3)
  qs.push(words.slice(start, start + len).join(' '))
}
const win = db.prepare(`with w as materialized (select rowid as id, bm25(torrent_fts, 10.0, 1.0, 0.0) as rank from torrent_fts where torrent_fts match ? order by rowid desc limit 1000), page as materialized (select id, rank from w order by rank, id desc limit 20) select t.id, page.rank from page cross join torrents t on t.id = page.id`)
const winNoBm = db.prepare(`select rowid from torrent_fts where torrent_fts match ? order by rowid desc limit 1000`)
const cnt = db.prepare(`select count(*) from (select 1 from torrent_fts where torrent_fts match ? limit 1001)`)
const rows = []
for (const q of qs) {
  const m = matchExpression(parseQueryText(q))
  const a = performance.now(); const n = cnt.pluck().get(m); const b = performance.now(); winNoBm.all(m); const c = performance.now(); win.all(m); const d = performance.now()
  rows.push({ q, m, n, count: b - a, rowids: c - b, window: d - c })
}
const sum = k => rows.reduce((s, x) => s + x[k], 0).toFixed(0)
console.log('sum ms count', sum('count'), 'rowids', sum('rowids'), 'window', sum('window'))
rows.sort((x, y) => y.window - x.window)
for (const x of rows.slice(0, 12)) console.log(x.m.padEnd(50), String(x.n).padStart(5), x.count.toFixed(1), x.rowids.toFixed(1), x.window.toFixed(1))
