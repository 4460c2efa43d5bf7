// Runs the crash paths one after another and sums each up: rounds, kills, what the killed children
// had reported committed, rows found, and the wall time (a figure, never an assertion).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { crawlPath } from './crawl-path.mjs'
import { importPath } from './import-path.mjs'

const PATHS = {
  import: importPath,
  crawl: crawlPath,
}

export async function runPaths({ dir, kills, rnd, paths, log = () => undefined, env = process.env }) {
  const out = []
  for (const name of paths) {
    const fn = PATHS[name]
    if (!fn) throw new Error(`unknown crash path ${name}`)
    const home = join(dir, `home-${name}`)
    mkdirSync(home, { recursive: true })
    const t0 = Date.now()
    const rounds = await fn({ dir: join(home), home, kills, rnd, env, log })
    const committed = rounds.map((r) => r.committed)
    const summary = {
      path: name,
      rounds: rounds.length,
      killed: rounds.filter((r) => r.killed).length,
      committedBeforeKill: { min: Math.min(...committed), max: Math.max(...committed) },
      ms: Date.now() - t0,
    }
    log(
      `crash ${name}: ${summary.killed}/${summary.rounds} killed, integrity ok, every reported batch present, restart completed (${summary.ms} ms)`,
    )
    out.push({ ...summary, rounds })
  }
  return out
}
