// Queries/s one node answers: a child process serves, raw UDP clients here keep a window of
// queries outstanding for a fixed time and count replies.
import { spawn } from 'node:child_process'
import dgram from 'node:dgram'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bencode } from '../src/index.js'

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url))

export interface ThroughputResult {
  impl: 'ours' | 'stock'
  method: string
  queriesPerSecond: number
  /** Replies per second of server CPU time (user+sys): capacity, independent of the client. */
  queriesPerCpuSecond: number
  serverRssMB: number
}

export async function measureThroughput(
  impl: 'ours' | 'stock',
  method: string,
  seconds: number,
): Promise<ThroughputResult> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.DHT_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), 'dhtprof')}`] : []),
      SERVER,
      impl,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))
      child.once('error', reject)
    })
    const infoHash = Buffer.alloc(20, 0xab)
    const args =
      method === 'ping' ? {} : method === 'find_node' ? { target: randomBytes(20) } : { info_hash: infoHash }
    const sockets = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const s = dgram.createSocket('udp4')
        await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
        return s
      }),
    )
    let replies = 0
    let running = true
    const WINDOW = 32
    const query = (i: number): Buffer => {
      const t = Buffer.alloc(2)
      t.writeUInt16BE(i & 0xffff)
      return bencode({ t, y: 'q', q: method, a: { id: randomBytes(20), ...args } })
    }
    const pool = Array.from({ length: 256 }, (_, i) => query(i))
    let k = 0
    for (const s of sockets) {
      s.on('message', () => {
        replies++
        if (running) s.send(pool[k++ & 255]!, port, '127.0.0.1')
      })
    }
    // Replies lost to a full socket buffer would shrink the window; top it up periodically.
    const topUp = setInterval(() => {
      for (const s of sockets)
        for (let i = 0; i < WINDOW / 4; i++) s.send(pool[k++ & 255]!, port, '127.0.0.1')
    }, 50)
    for (const s of sockets) for (let i = 0; i < WINDOW; i++) s.send(pool[k++ & 255]!, port, '127.0.0.1')
    await new Promise((r) => setTimeout(r, 300)) // warm-up
    const start = replies
    const cpu0 = await childCpuSeconds(child.pid!)
    const t0 = performance.now()
    await new Promise((r) => setTimeout(r, seconds * 1000))
    const answered = replies - start
    const qps = answered / ((performance.now() - t0) / 1000)
    const cpu = (await childCpuSeconds(child.pid!)) - cpu0
    running = false
    clearInterval(topUp)
    const rss = await childRss(child.pid!)
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))))
    return {
      impl,
      method,
      queriesPerSecond: Math.round(qps),
      queriesPerCpuSecond: cpu > 0 ? Math.round(answered / cpu) : 0,
      serverRssMB: rss,
    }
  } finally {
    child.kill()
  }
}

/** utime + stime of a process from /proc/<pid>/stat (clock ticks of 10 ms on Linux). */
async function childCpuSeconds(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises')
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

async function childRss(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises')
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const m = /VmRSS:\s+(\d+) kB/.exec(status)
    return m ? Math.round(Number(m[1]) / 1024) : 0
  } catch {
    return 0
  }
}
