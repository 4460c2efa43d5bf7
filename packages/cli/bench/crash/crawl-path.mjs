// Crash path: `bbmesh crawl` on a loopback testnet of @bbmesh/testnet (never the public routers:
// --bootstrap is always the testnet's). Each round starts a fresh index, SIGKILLs the crawl at a
// random moment while it starts, fetches and stores metadata, checks integrity, that the index holds
// at least what the last stats line before the kill reported stored and only testnet torrents, then
// restarts the crawl on that index; the restart must run and stop cleanly on SIGINT with a summary
// matching its index.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { createTestnet } from '@bbmesh/testnet'
import { allV1, checkIntegrity, schemaTables } from './check.mjs'
import { runBbmesh } from './child.mjs'

export async function crawlPath({ dir, home, kills, rnd }) {
  const net = await createTestnet({ nodes: 30, torrents: 120, seed: 16 })
  const truth = new Set(net.torrents.map((t) => t.infohashV1).filter(Boolean))
  const rounds = []
  try {
    for (let k = 0; k < kills; k++) {
      const db = join(dir, `crawl-${k}.db`)
      const args = [
        '--db',
        db,
        '--json',
        'crawl',
        '--bootstrap',
        net.bootstrap.join(','),
        '--stats-interval',
        '1',
      ]
      // Half the rounds: a kill 0.3–5 s after spawn (startup, migrations, the first fetches). The
      // others: 0–1.5 s after the first stats line that reports stored torrents (the testnet's 120
      // torrents are still arriving, so a batch is often mid-write). `stored` is the last figure
      // reported before the kill.
      const fromSpawn = rnd() < 0.5
      const delay = fromSpawn ? 300 + Math.floor(rnd() * 4_700) : Math.floor(rnd() * 1_500)
      let stored = 0
      const killed = await runBbmesh(args, {
        home,
        capMs: 60_000,
        ...(fromSpawn && { killAfterMs: delay }),
        onLine: (l, killIn) => {
          if (l.event !== 'stats') return
          if (!fromSpawn && stored === 0 && l.stored > 0) killIn(delay)
          stored = l.stored
        },
      })
      if (!killed.killed || killed.signal !== 'SIGKILL')
        throw new Error(`crawl round ${k}: not killed (exit ${killed.code}): ${killed.stderr.slice(-2000)}`)
      const round = { path: 'crawl', k, killed: true, committed: stored }
      round.rowsAfterKill = checkIntegrity(db)
      round.schema = schemaTables(db).length
      if (round.rowsAfterKill < stored)
        throw new Error(`crawl round ${k}: ${stored} reported stored, ${round.rowsAfterKill} rows`)
      for (const h of allV1(db))
        if (!truth.has(h)) throw new Error(`crawl round ${k}: ${h} is not a testnet torrent`)
      // The restart: SIGINT once it stored something itself (or ran 20 s, when nothing was left).
      let sigint = false
      const restart = await runBbmesh(args, {
        home,
        capMs: 60_000,
        onLine: (l) => {
          if (l.event === 'stats' && !sigint && (l.stored > 0 || l.t >= 20)) {
            sigint = true
            process.kill(restartPid(), 'SIGINT')
          }
        },
        onSpawn: (pid) => (restartPid = () => pid),
      })
      const summary = restart.lines.at(-1)
      if (restart.code !== 0 || summary?.event !== 'summary')
        throw new Error(`crawl round ${k}: restart exit ${restart.code}: ${restart.stderr.slice(-2000)}`)
      round.rowsAfterRestart = checkIntegrity(db)
      if (summary.indexTorrents !== round.rowsAfterRestart || round.rowsAfterRestart < round.rowsAfterKill)
        throw new Error(
          `crawl round ${k}: restart summary ${summary.indexTorrents}, index ${round.rowsAfterRestart}`,
        )
      round.restartStored = summary.stored
      if (summary.stored === 0 && round.rowsAfterKill < truth.size * 0.8)
        throw new Error(`crawl round ${k}: the restart stored nothing in 20 s (${round.rowsAfterKill} rows)`)
      for (const p of [db, `${db}-wal`, `${db}-shm`]) rmSync(p, { force: true })
      rounds.push(round)
    }
  } finally {
    await net.destroy()
  }
  return rounds
}

let restartPid = () => {
  throw new Error('no restart child')
}
