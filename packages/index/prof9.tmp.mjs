import { sql } from 'kysely'
import { openIndex, tokenize } from './dist-bench/src/index.js'
import { generateBatch, makeVocab, rng } from './dist-bench/bench/generate.js'
const v = makeVocab(42)
const mode = process.argv[2]
const ix = await openIndex({ path: '/tmp/prof100k.db', readonly: true })
if (mode === 'mmap') await sql`pragma mmap_size = 1073741824`.execute(ix.db)
const r = rng(Number(process.argv[3] ?? 9))
const qs = []
for (const b of [5, 33, 61, 90]) for (const t of generateBatch(42, v, b, 1000).slice(0, 100)) {
  const words = t.name.split(/[\s.\-_[\]()]+/).filter((w) => tokenize(w).length > 0)
  const start = Math.floor(r() * Math.max(1, words.length - 2)); const len = 1 + Math.floor(r() * 3)
  qs.push({ text: words.slice(start, start + len).join(' ') })
  if (qs.length % 4 === 0) qs.push({ text: words.slice(start, start + len).join(' '), extension: 'mkv', minSize: 100 * 1024 * 1024 })
}
const cpu = []
for (const q of qs) { const c = process.cpuUsage(); await ix.search(q); const d = process.cpuUsage(c); cpu.push((d.user + d.system) / 1000) }
cpu.sort((a, b) => a - b)
console.log(mode, 'n', cpu.length, 'p50', cpu[Math.floor(cpu.length / 2)].toFixed(2), 'p90', cpu[Math.floor(cpu.length * 0.9)].toFixed(2), 'p99', cpu[Math.floor(cpu.length * 0.99)].toFixed(2))
await ix.close()
