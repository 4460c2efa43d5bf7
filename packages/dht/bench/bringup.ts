// Child process: bring up N UDP nodes (ours or stock) on 127.0.0.1, all joining through the first;
// prints {seconds, rssMB, peakRssMB, baseRssMB, heapMB, meanTable} as JSON. Both implementations
// are measured the same way: RSS and heapUsed after a forced full GC, and the peak RSS (VmHWM).
import { readFileSync } from 'node:fs'
import DHT from 'bittorrent-dht'
import { DhtNode } from '../src/index.js'

async function main(): Promise<void> {
  const kind = process.argv[2]
  const n = Number(process.argv[3] ?? 200)
  const batch = 50
  globalThis.gc?.()
  const baseRssMB = mb(process.memoryUsage().rss)
  const t0 = performance.now()
  let tables: number[] = []
  let close: () => Promise<void>
  if (kind === 'ours') {
    const first = new DhtNode({ bootstrap: false, rateLimit: false, outboundQueriesPerSecond: false })
    const a = await first.listen(0, '127.0.0.1')
    const boot = [`127.0.0.1:${a.port}`]
    const nodes = [first]
    for (let i = 1; i < n; i += batch) {
      const group = Array.from(
        { length: Math.min(batch, n - i) },
        () => new DhtNode({ bootstrap: boot, rateLimit: false, outboundQueriesPerSecond: false }),
      )
      nodes.push(...group)
      await Promise.all(group.map(async (x) => (await x.listen(0, '127.0.0.1'), await x.bootstrap())))
    }
    tables = nodes.map((x) => x.stats().routingTableSize)
    close = async () => void (await Promise.all(nodes.map((x) => x.destroy())))
  } else {
    const first = new DHT({ bootstrap: false, host: false })
    await new Promise<void>((r) => first.listen(0, '127.0.0.1', r))
    const boot = [`127.0.0.1:${first.address().port}`]
    const nodes = [first]
    for (let i = 1; i < n; i += batch) {
      const group = Array.from(
        { length: Math.min(batch, n - i) },
        () => new DHT({ bootstrap: boot, host: false }),
      )
      nodes.push(...group)
      await Promise.all(
        group.map(
          (d) =>
            new Promise<void>((resolve) => {
              let k = 0
              const done = (): void => void (++k === 2 && resolve())
              d.once('ready', done)
              d.listen(0, '127.0.0.1', done)
            }),
        ),
      )
    }
    tables = nodes.map((x) => x.nodes.count())
    close = async () =>
      void (await Promise.all(nodes.map((x) => new Promise<void>((r) => x.destroy(() => r())))))
  }
  const seconds = (performance.now() - t0) / 1000
  globalThis.gc?.()
  const mem = process.memoryUsage()
  const rssMB = mb(mem.rss)
  const heapMB = mb(mem.heapUsed)
  const peakRssMB = Math.round(
    Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024,
  )
  const meanTable = Math.round(tables.reduce((s, x) => s + x, 0) / tables.length)
  await close()
  process.stdout.write(
    JSON.stringify({
      impl: kind,
      nodes: n,
      seconds: Number(seconds.toFixed(2)),
      rssMB,
      peakRssMB,
      baseRssMB,
      heapMB,
      meanTable,
    }) + '\n',
  )
  process.exit(0)
}

function mb(bytes: number): number {
  return Math.round(bytes / 1048576)
}

void main()
