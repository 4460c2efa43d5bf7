// The real `bbmesh` binary as a child process for the crash harness: its --json lines as they come,
// a SIGKILL to its own PID at a chosen moment, and a hard cap so a hung child cannot stall the run.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const binPath = fileURLToPath(new URL('../../dist/bin.js', import.meta.url))

/**
 * Starts `bbmesh …args` with BBMESH_HOME=`home`. `onLine(line, killIn)` sees each parsed JSON line;
 * `killIn(ms)` SIGKILLs the child `ms` later (0: now). `killAfterMs` kills it that long after spawn.
 * Resolves when the child is gone: exit code, signal, whether we killed it, its lines and stderr.
 */
export function runBbmesh(args, { home, onLine = () => undefined, onSpawn, killAfterMs, capMs = 120_000 }) {
  const child = spawn(process.execPath, [binPath, ...args], {
    env: childEnv(home),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  onSpawn?.(child.pid)
  const lines = []
  let stderr = ''
  let buf = ''
  let killedByUs = false
  const kill = () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    killedByUs = true
    process.kill(child.pid, 'SIGKILL')
  }
  const timers = []
  const killIn = (ms) => (ms <= 0 ? kill() : timers.push(setTimeout(kill, ms)))
  if (killAfterMs !== undefined) timers.push(setTimeout(kill, killAfterMs))
  timers.push(setTimeout(kill, capMs))
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk) => {
    buf += chunk
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, i)
      buf = buf.slice(i + 1)
      let line
      try {
        line = JSON.parse(text)
      } catch {
        continue
      }
      lines.push(line)
      onLine(line, killIn)
    }
  })
  child.stderr.on('data', (c) => (stderr += c.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t)
      resolve({ code, signal, killed: killedByUs, lines, stderr })
    })
  })
}

/** The child's environment: its own home, and no BBMESH_DB from the shell (every path passes --db). */
function childEnv(home) {
  const env = { ...process.env, BBMESH_HOME: home, NO_COLOR: '1' }
  delete env.BBMESH_DB
  return env
}

/** A seeded PRNG (mulberry32), so a run's kill points can be replayed from its seed. */
export function seeded(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
