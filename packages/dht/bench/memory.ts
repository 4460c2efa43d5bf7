// Child process: N nodes on the in-memory network; bootstrap time and RSS, then lookups/s.
import { MemoryNetwork, createDhtTestnet } from '../src/index.js'

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000)
  const lookups = Number(process.argv[3] ?? 200)
  const network = new MemoryNetwork({ seed: 1, latencyMs: 0 })
  globalThis.gc?.()
  const rss0 = process.memoryUsage().rss
  const t0 = performance.now()
  const net = await createDhtTestnet(n, { network, batch: 200 })
  const bootstrapS = (performance.now() - t0) / 1000
  globalThis.gc?.()
  const rssMB = Math.round(process.memoryUsage().rss / 1048576)
  const perNodeKB = Math.round((process.memoryUsage().rss - rss0) / 1024 / n)
  const t1 = performance.now()
  const concurrency = 20
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < lookups) {
        const i = next++
        const node = net.nodes[(i * 7919) % n]!
        await node.lookup(network.random.bytes(20))
      }
    }),
  )
  const lookupsPerSecond = lookups / ((performance.now() - t1) / 1000)
  const meanTable = Math.round(net.nodes.reduce((s, x) => s + x.stats().routingTableSize, 0) / n)
  await net.destroy()
  process.stdout.write(
    JSON.stringify({
      nodes: n,
      bootstrapSeconds: Number(bootstrapS.toFixed(2)),
      rssMB,
      perNodeKB,
      meanTable,
      lookups,
      lookupsPerSecond: Math.round(lookupsPerSecond),
      datagrams: network.stats.delivered,
    }) + '\n',
  )
  process.exit(0)
}

void main()
