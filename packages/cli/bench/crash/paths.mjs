// Runs the crash paths one after another and sums each up: rounds, kills, what the killed children
// had reported committed, rows found, and the wall time (a figure, never an assertion).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { crawlPath } from './crawl-path.mjs'
import { importPath } from './import-path.mjs'
import { postgresPath } from './postgres-path.mjs'
import { resolvePath } from './resolve-path.mjs'

const PATHS = {
  import: importPath,
  crawl: crawlPath,
  resolve: resolvePath,
  postgres: postgresPath,
}

export async function runPaths({ dir, kills, rnd, paths, log = () => undefined, env = process.env }) {
  const out = []
  for (const name of paths) {
    const fn = PATHS[name]
    if (!fn) throw new Error(`unknown crash path ${name}`)
    const work = join(dir, name)
    const home = join(work, 'home')
    mkdirSync(home, { recursive: true })
    const t0 = Date.now()
    const rounds = await fn({ dir: work, home, kills, rnd, env, log })
    const committed = rounds.map((r) => r.committed)
    const summary = {
      path: name,
      rounds: rounds.length,
      killed: rounds.filter((r) => r.killed).length,
      committedBeforeKill: { min: Math.min(...committed), max: Math.max(...committed) },
      ms: Date.now() - t0,
    }
    // Rounds killed before the migrations had created every table (0, 1 of the 2 looked at).
    const partial = rounds.filter((r) => r.schema !== undefined && r.schema < 2).length
    if (partial) summary.killedBeforeSchema = partial
    const states = rounds.filter((r) => r.state).map((r) => r.state)
    if (states.length)
      summary.stateAtKill = Object.fromEntries(
        [...new Set(states)].map((s) => [s, states.filter((x) => x === s).length]),
      )
    log(
      `crash ${name}: ${summary.killed}/${summary.rounds} killed, integrity ok, every reported batch present, restart completed (${summary.ms} ms)`,
    )
    // Each path's figures as soon as it is done, so a later path's failure cannot lose them.
    log(JSON.stringify({ ...summary, rounds }))
    out.push({ ...summary, rounds })
  }
  return out
}
