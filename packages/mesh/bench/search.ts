// Federated search benchmark (issue 13): bb_search fan-out from one asker to SEARCH_MEMBERS members on
// loopback, each member a child process with its own SQLite index of SEARCH_TORRENTS generated
// torrents, against a local search of one index holding the union, in the same run. Per query: ms to
// the first member's hits, and ms to the merged first page (every member answered; the search
// returns then, before the deadline). p50 / p99 over SEARCH_QUERIES queries. Nothing is asserted.
// Env: SEARCH_MEMBERS (16), SEARCH_TORRENTS (20000 per member; the size is 100000),
// SEARCH_QUERIES (200), SEARCH_DEADLINE_MS (2000), SEARCH_SEED (1).
import { fork, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import DHT from 'bittorrent-dht'
import { DhtNode } from '@bbmesh/dht'
import { openIndex, type PooledIndex, type TorrentInput } from '@bbmesh/index'
import { meshDht } from '../src/adapters/mesh-dht.js'
import { deriveCommunityKeys } from '../src/community/derive.js'
import { CommunityMesh } from '../src/membership/mesh.js'
import { FederatedSearch } from '../src/search/federated-search.js'

const env = (k: string, d: number): number => Number(process.env[k] ?? d)
const MEMBERS = env('SEARCH_MEMBERS', 16)
const TORRENTS = env('SEARCH_TORRENTS', 20_000)
const QUERIES = env('SEARCH_QUERIES', 200)
const DEADLINE_MS = env('SEARCH_DEADLINE_MS', 2_000)
const SEED = env('SEARCH_SEED', 1)
const self = fileURLToPath(import.meta.url)
const keySeed = createHash('sha256').update(`bbmesh-bench-search:${SEED}`).digest()

/** A deterministic generator of pseudo-words, and of torrents made of them (a Zipf-like word mix). */
function generator(seed: number): { word(): string; torrent(i: number): TorrentInput } {
  let s = seed >>> 0 || 1
  const rnd = (): number => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
  const SYL = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'zen', 'dor', 'bel', 'qua', 'rix', 'tor']
  const vocab = Array.from({ length: 3_000 }, (_, i) => {
    let w = ''
    for (let n = i + 7; n > 0; n = Math.floor(n / SYL.length)) w += SYL[n % SYL.length]
    return w
  })
  const word = (): string => vocab[Math.floor(vocab.length * rnd() ** 2)]!
  const EXT = ['mkv', 'mp4', 'iso', 'flac', 'epub', 'zip']
  return {
    word,
    torrent(i) {
      const ext = EXT[Math.floor(rnd() * EXT.length)]!
      const name = `${word()}.${word()}.${word()}.${2000 + Math.floor(rnd() * 25)}.${ext}`
      const files = Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, f) => ({
        path: `${name}/${word()}.${f}.${ext}`,
        size: Math.floor(rnd() * 4e9),
      }))
      return {
        infohashV1: createHash('sha1').update(`search-bench:${seed}:${i}`).digest(),
        name,
        files,
        source: 'import',
      }
    },
  }
}

async function fill(index: PooledIndex, seed: number, n: number, offset: number): Promise<void> {
  const g = generator(seed)
  for (let at = 0; at < n; at += 5_000) {
    const batch: TorrentInput[] = []
    for (let i = at; i < Math.min(n, at + 5_000); i++) batch.push(g.torrent(offset + i))
    await index.ingest(batch)
  }
}

// --- a member (child process) -------------------------------------------------------------------

async function member(dbPath: string, bootstrap: string, askerPort: number): Promise<void> {
  const index = await openIndex({ path: dbPath })
  const dht = new DhtNode({ bootstrap: [bootstrap], rateLimit: false, outboundQueriesPerSecond: false })
  await dht.listen(0, '127.0.0.1')
  await dht.bootstrap()
  const search = new FederatedSearch({
    local: (q) => index.search(q),
    limits: { burst: 1e6, perSecond: 1e6 },
  })
  const mesh = new CommunityMesh({
    keys: deriveCommunityKeys(keySeed),
    dht: meshDht(dht),
    hints: [{ host: '127.0.0.1', port: askerPort }],
    registerExtensions: (r) => r.register(search.definition()),
  })
  await mesh.start()
  process.on(
    'message',
    () =>
      void (async () => {
        await mesh.close()
        await dht.destroy()
        await index.close()
        process.exit(0)
      })(),
  )
}

// --- the asker (parent) -------------------------------------------------------------------------

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}

export async function runSearchBench(resultsDir: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bbmesh-search-bench-'))
  const children: ChildProcess[] = []
  let stock: DHT | undefined
  try {
    let t0 = performance.now()
    const union = await openIndex({ path: join(dir, 'union.db') })
    for (let k = 0; k < MEMBERS; k++) {
      const index = await openIndex({ path: join(dir, `m${k}.db`) })
      await fill(index, SEED * 1000 + k, TORRENTS, 0)
      await fill(union, SEED * 1000 + k, TORRENTS, 0)
      await index.close()
    }
    const buildS = (performance.now() - t0) / 1000
    console.log(
      `search bench: ${MEMBERS} indexes x ${TORRENTS} torrents + the union built in ${buildS.toFixed(0)} s`,
    )
    const g = generator(SEED + 77)
    const queries = Array.from({ length: QUERIES }, (_, i) =>
      i % 3 === 0 ? g.word() : `${g.word()} ${g.word()}`,
    )

    const localMs: number[] = []
    for (const text of queries) {
      t0 = performance.now()
      await union.search({ text, limit: 20 })
      localMs.push(performance.now() - t0)
    }

    stock = new DHT({ bootstrap: false, host: false })
    await new Promise<void>((r) => stock!.listen(0, '127.0.0.1', () => r()))
    const boot = `127.0.0.1:${stock.address().port}`
    const askerDht = new DhtNode({ bootstrap: [boot], rateLimit: false, outboundQueriesPerSecond: false })
    await askerDht.listen(0, '127.0.0.1')
    await askerDht.bootstrap()
    const asker = new FederatedSearch()
    const mesh = new CommunityMesh({
      keys: deriveCommunityKeys(keySeed),
      dht: meshDht(askerDht),
      targetConnections: MEMBERS + 8,
      maxConnections: MEMBERS + 8,
      registerExtensions: (r) => r.register(asker.definition()),
    })
    await mesh.start()
    for (let k = 0; k < MEMBERS; k++)
      children.push(fork(self, ['--member', join(dir, `m${k}.db`), boot, String(mesh.host.port)]))
    const linkStart = Date.now()
    while (asker.members < MEMBERS && Date.now() - linkStart < 120_000)
      await new Promise((r) => setTimeout(r, 100))
    console.log(`search bench: ${asker.members}/${MEMBERS} members linked in ${Date.now() - linkStart} ms`)

    const firstMs: number[] = []
    const pageMs: number[] = []
    let timeouts = 0
    let hitsTotal = 0
    for (const text of queries) {
      let first: number | undefined
      t0 = performance.now()
      const r = await asker.search({
        text,
        limit: 20,
        deadlineMs: DEADLINE_MS,
        onHits: () => void (first ??= performance.now() - t0),
      })
      pageMs.push(performance.now() - t0)
      firstMs.push(first ?? performance.now() - t0)
      timeouts += r.members.filter((m) => m.status !== 'answered').length
      hitsTotal += r.hits.length
    }
    await mesh.close()
    await askerDht.destroy()
    await union.close()

    const row = {
      members: MEMBERS,
      torrentsPerMember: TORRENTS,
      queries: QUERIES,
      deadlineMs: DEADLINE_MS,
      cpus: cpus().length,
      localP50Ms: pct(localMs, 50),
      localP99Ms: pct(localMs, 99),
      firstHitsP50Ms: pct(firstMs, 50),
      firstHitsP99Ms: pct(firstMs, 99),
      firstPageP50Ms: pct(pageMs, 50),
      firstPageP99Ms: pct(pageMs, 99),
      memberAnswersMissed: timeouts,
      meanHits: hitsTotal / QUERIES,
    }
    const f = (x: number): string => x.toFixed(1)
    const md = [
      `# bb_search fan-out (${MEMBERS} members x ${TORRENTS} torrents, ${QUERIES} queries, ${cpus().length} CPUs)`,
      '',
      '| measure | p50 ms | p99 ms |',
      '|---|---|---|',
      `| local search of the union (${MEMBERS * TORRENTS} torrents) | ${f(row.localP50Ms)} | ${f(row.localP99Ms)} |`,
      `| federated: first member's hits | ${f(row.firstHitsP50Ms)} | ${f(row.firstHitsP99Ms)} |`,
      `| federated: merged first page (all answered) | ${f(row.firstPageP50Ms)} | ${f(row.firstPageP99Ms)} |`,
      '',
      `Member answers missing at the ${DEADLINE_MS} ms deadline: ${timeouts} of ${MEMBERS * QUERIES}. ` +
        `Mean hits on the first page: ${row.meanHits.toFixed(1)}. Goal: merged first page p99 <= 150 ms. ` +
        `All ${MEMBERS} members and the asker share this machine's ${cpus().length} CPUs.`,
      '',
    ].join('\n')
    console.log(md)
    mkdirSync(resultsDir, { recursive: true })
    const base = join(resultsDir, `search-${MEMBERS}x${TORRENTS}`)
    writeFileSync(`${base}.json`, JSON.stringify(row, null, 2) + '\n')
    writeFileSync(`${base}.md`, md)
  } finally {
    for (const c of children) if (c.connected) c.send('stop')
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null) return r()
            const t = setTimeout(() => (c.kill('SIGKILL'), r()), 5_000)
            c.once('exit', () => (clearTimeout(t), r()))
          }),
      ),
    )
    if (stock) await new Promise<void>((r) => stock!.destroy(() => r()))
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--member') void member(process.argv[3]!, process.argv[4]!, Number(process.argv[5]))
