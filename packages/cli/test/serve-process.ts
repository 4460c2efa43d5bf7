import { spawn, type ChildProcess } from 'node:child_process'
import { binPath } from './run-cli.js'

export interface ServeProcess {
  child: ChildProcess
  url: string
  stdout: () => string
  stderr: () => string
  /** Sends the signal and resolves to the exit code (rejects after 15 s). */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Starts `bbmesh <args>` and waits for its {"event":"listening"} line (20 s at most). */
export function startServe(args: string[], home: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [binPath, '--json', ...args], {
    env: { ...process.env, BBMESH_HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null) child.kill(signal)
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error('serve did not exit within 15 s'))
      }, 15_000)
    })
    try {
      return await Promise.race([exited, deadline])
    } finally {
      clearTimeout(timer)
    }
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no listening line in 20 s; stderr: ${err}`))
    }, 20_000)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const line = out.split('\n').find((l) => l.includes('"event":"listening"'))
      if (line === undefined) return
      clearTimeout(timer)
      const { url } = JSON.parse(line) as { url: string }
      resolve({ child, url, stdout: () => out, stderr: () => err, stop })
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code} before listening; stderr: ${err}`))
    })
  })
}
