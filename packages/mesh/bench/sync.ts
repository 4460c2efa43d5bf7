// The bb_sync bench (issue 12, item 6: 1M torrents with file lists synced on loopback in <= 10
// minutes, memory bounded, a kill in the middle resumes). A member holding SYNC_BENCH_TORRENTS
// (default 100,000) torrents with their dicts, in this process; a member with an empty index in a
// child process that catches up from it over the real gated link on 127.0.0.1. With
// SYNC_BENCH_KILL (default 0.5) the child SIGKILLs itself at that share of the pages and a second
// child resumes from its cursor file; 0 runs one uninterrupted pass. The server's index is built once
// per size under SYNC_BENCH_DIR (default the OS temp dir) and reused. Writes
// bench/results/sync-<n>.{json,md}. Nothing is asserted; the numbers are reported.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openIndex } from '@bbmesh/index'
import { deriveCommunityKeys } from '../src/community/derive.js'
import { indexCatchUpSync } from '../src/sync/index-adapter.js'
import type { SyncCounters } from '../src/sync/types.js'
import { createBenchNet } from './membership-net.js'
import { fillIndex } from './sync-data.js'

const N = Number(process.env.SYNC_BENCH_TORRENTS ?? 100_000)
const KILL = Number(process.env.SYNC_BENCH_KILL ?? 0.5)
const PAGE = 1_000

interface ChildLine {
  event: 'progress' | 'killed' | 'done'
  ms: number
  sinceStartMs: number
  peakRssMb: number
  counters: SyncCounters
}

/** Runs the joiner until it prints `done` or dies; returns its last line. */
function joiner(envs: Record<string, string>): Promise<ChildLine> {
  const script = fileURLToPath(new URL('./sync-joiner.js', import.meta.url))
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...envs },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let last: ChildLine | undefined
  let buf = ''
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString('utf8')
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      last = JSON.parse(buf.slice(0, nl)) as ChildLine
      buf = buf.slice(nl + 1)
      process.stderr.write(
        `  joiner ${last.event}: ${last.counters.torrentsIn} in, ${last.counters.pagesIn} pages, ${(last.ms / 1000).toFixed(1)} s, peak RSS ${last.peakRssMb} MB\n`,
      )
    }
  })
  return new Promise((resolve, reject) =>
    child.on('exit', () =>
      last ? resolve(last) : reject(new Error('sync bench: the joiner printed nothing')),
    ),
  )
}

export async function runSyncBench(resultsDir: string): Promise<void> {
  const base = process.env.SYNC_BENCH_DIR ?? tmpdir()
  const serverDir = join(base, `bbmesh-sync-bench-server-${N}`)
  const joinerDir = join(base, `bbmesh-sync-bench-joiner-${N}-${process.pid}`)
  mkdirSync(serverDir, { recursive: true })
  mkdirSync(joinerDir, { recursive: true })
  const serverPath = join(serverDir, 'server.db')
  const index = await openIndex({ path: serverPath, cacheBudgetBytes: 16 * 1024 ** 3 })
  let buildMs = 0
  if ((await index.stats()).cachedMetadata !== N) {
    const t0 = performance.now()
    await fillIndex(
      index,
      N,
      (done) => done % 50_000 === 0 && process.stderr.write(`  server index: ${done}\n`),
    )
    buildMs = performance.now() - t0
  }
  const stats = await index.stats()
  process.stderr.write(
    `sync bench: server holds ${stats.torrents} torrents, ${stats.files} files, ${(stats.cacheBytes / 2 ** 20).toFixed(0)} MiB of dicts (deflated)\n`,
  )

  const secret = randomBytes(32)
  const net = await createBenchNet({ seed: 12, stock: 4, ours: 0 })
  // The server only serves here (autoStart false), so the figure is one direction's.
  const serverSync = indexCatchUpSync(index, {
    memberId: Buffer.from('bench-server'),
    cursorPath: join(serverDir, 'cursors.json'),
    autoStart: false,
  })
  const server = await net.addMember(0, deriveCommunityKeys(secret), {
    rendezvous: { announceIntervalMs: 4_000, lookupMinMs: 300 },
    registerExtensions: (r) => r.register(serverSync.definition()),
  })
  await server.mesh.start()
  const envs = { SYNC_DIR: joinerDir, SYNC_BOOT: net.stockAddrs[1]!, SYNC_SECRET: secret.toString('hex') }
  const runs: ChildLine[] = []
  const pages = Math.ceil(N / PAGE)
  let held: number
  try {
    if (KILL > 0)
      runs.push(await joiner({ ...envs, KILL_AT_PAGES: String(Math.max(1, Math.round(pages * KILL))) }))
    runs.push(await joiner(envs))
    const check = await openIndex({ path: join(joinerDir, 'joiner.db'), readonly: true })
    held = (await check.stats()).torrents
    await check.close()
  } finally {
    await server.mesh.close()
    await net.destroy()
    await index.close()
    rmSync(joinerDir, { recursive: true, force: true })
  }

  const syncMs = runs.reduce((s, r) => s + r.ms, 0)
  const last = runs.at(-1)!
  const first = runs[0]!
  const result = {
    generated: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavg: loadavg().map((x) => Math.round(x * 10) / 10),
    torrents: N,
    files: stats.files,
    dictBytes: runs.reduce((s, r) => s + r.counters.bytesIn, 0),
    serverBuildMs: Math.round(buildMs),
    killedAtPage: KILL > 0 ? first.counters.pagesIn : null,
    storedBeforeKill: KILL > 0 ? first.counters.torrentsIn : null,
    resumedRequested: last.counters.requested,
    resumedListed: last.counters.keysListed,
    joinerHolds: held,
    syncMs,
    torrentsPerSecond: Math.round((N / syncMs) * 1000),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    runs: runs.map((r) => ({
      event: r.event,
      ms: r.ms,
      sinceStartMs: r.sinceStartMs,
      peakRssMb: r.peakRssMb,
      counters: r.counters,
    })),
  }
  mkdirSync(resultsDir, { recursive: true })
  const name = `sync-${N}${KILL > 0 ? '-kill' : ''}`
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(result, null, 2) + '\n')
  const mb = (b: number): string => (b / 2 ** 20).toFixed(0)
  const md = [
    `# bb_sync catch-up: ${N.toLocaleString('en')} torrents, ${stats.files.toLocaleString('en')} files`,
    '',
    `Generated ${result.generated} on Node ${result.node}, ${result.cpus} CPUs (shared; 1-minute load average ${result.loadavg[0]}). Both members on 127.0.0.1, over the real gated link; the joiner in its own process, the server in the bench's.`,
    '',
    '| metric | value | goal |',
    '|---|---|---|',
    `| sync wall time (pass start to done${KILL > 0 ? ', both runs, restart excluded' : ''}) | ${(syncMs / 1000).toFixed(1)} s | 1M in <= 600 s |`,
    `| throughput | ${result.torrentsPerSecond} torrents/s (${mb(result.dictBytes)} MiB of dicts, each verified) | >= 1,667/s |`,
    `| joiner peak RSS | ${result.peakRssMb} MB | bounded |`,
    `| joiner holds afterwards | ${held.toLocaleString('en')} of ${N.toLocaleString('en')} | all |`,
    ...(KILL > 0
      ? [
          `| killed (SIGKILL) at page | ${first.counters.pagesIn} of ${pages}, ${first.counters.torrentsIn.toLocaleString('en')} stored | |`,
          `| resumed run: listed / asked for / stored | ${last.counters.keysListed.toLocaleString('en')} / ${last.counters.requested.toLocaleString('en')} / ${last.counters.torrentsIn.toLocaleString('en')} | nothing twice |`,
        ]
      : []),
    `| server index build (not in the figure) | ${(buildMs / 1000).toFixed(1)} s${buildMs === 0 ? ' (reused)' : ''} | |`,
    '',
  ].join('\n')
  writeFileSync(join(resultsDir, `${name}.md`), md)
  console.log(md)
}
