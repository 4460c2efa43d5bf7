// Child process (or standalone): many concurrent get_peers lookups from one node on an in-memory
// network, our iterative lookup against k-rpc's `_closest`, in the same run on the same network.
// Two harvester nodes join (one per implementation); rounds alternate between them. Besides wall
// and CPU time, both are measured alike for queries, answers and hops per lookup and for how many
// of the true k closest nodes each lookup reached, so a faster lookup that asks less shows.
//   node --expose-gc dist-bench/bench/lookups.js [nodes] [lookups] [concurrent lookups] [socket concurrency]
import { DhtNode, MemoryNetwork, createDhtTestnet } from '../src/index.js'

const K = 8

export interface LookupBenchRow {
  impl: 'krpc' | 'iterative'
  lookups: number
  concurrent: number
  /** Queries in flight on the harvester's socket, all lookups together. */
  socketConcurrency: number
  wallSeconds: number
  cpuSeconds: number
  queriesPerLookup: number
  answersPerLookup: number
  hopsPerLookup: number
  /** Mean share of the true k closest nodes that answered the lookup. */
  closestFound: number
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000)
  const lookups = Number(process.argv[3] ?? 512)
  const concurrent = Number(process.argv[4] ?? 128)
  const slots = Number(process.argv[5] ?? 128)
  const rounds = Number(process.env.DHT_BENCH_ROUNDS ?? 3)
  const network = new MemoryNetwork({ seed: 7, latencyMs: 0 })
  const t0 = performance.now()
  const net = await createDhtTestnet(n, { network, batch: 200, k: K })
  const buildSeconds = (performance.now() - t0) / 1000
  const harvesters = {} as Record<LookupBenchRow['impl'], DhtNode>
  for (const impl of ['krpc', 'iterative'] as const) {
    const h = new DhtNode({
      nodeId: network.random.bytes(20),
      transport: network.createTransport(),
      bootstrap: net.bootstrap,
      rateLimit: false,
      outboundQueriesPerSecond: false,
      maxPendingQueries: 100_000,
      concurrency: slots,
      k: K,
      lookup: impl,
    })
    await h.listen(0, '0.0.0.0')
    await h.bootstrap()
    harvesters[impl] = h
  }
  const ids = [...net.nodes, harvesters.krpc, harvesters.iterative].map((x) => x.id)
  const best = new Map<string, LookupBenchRow>()
  for (let r = 0; r < rounds; r++) {
    for (const impl of ['krpc', 'iterative'] as const) {
      const targets = Array.from({ length: lookups }, () => network.random.bytes(20))
      const row = await measure(impl, harvesters[impl], targets, concurrent, slots, ids)
      const b = best.get(impl)
      if (!b || row.wallSeconds < b.wallSeconds) best.set(impl, row)
    }
  }
  for (const h of Object.values(harvesters)) await h.destroy()
  await net.destroy()
  const rows = [best.get('krpc')!, best.get('iterative')!]
  const out = {
    nodes: n,
    buildSeconds: Number(buildSeconds.toFixed(1)),
    rounds,
    rows,
    wallRatio: Number((rows[0]!.wallSeconds / rows[1]!.wallSeconds).toFixed(2)),
    cpuRatio: Number((rows[0]!.cpuSeconds / rows[1]!.cpuSeconds).toFixed(2)),
  }
  process.stdout.write(JSON.stringify(out) + '\n')
  process.exit(0)
}

async function measure(
  impl: LookupBenchRow['impl'],
  h: DhtNode,
  targets: Buffer[],
  concurrent: number,
  slots: number,
  ids: Buffer[],
): Promise<LookupBenchRow> {
  // Ground truth first, outside the timed part.
  const truth = targets.map((t) => closest(t, ids, h.id))
  globalThis.gc?.()
  const q0 = h.stats().queriesOut
  let answers = 0
  let hops = 0
  let found = 0
  let next = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrent }, async () => {
      while (next < targets.length) {
        const i = next++
        const target = targets[i]!
        // Hops measured from the replies alike for both: a node named by a node at depth d is at d+1.
        const depth = new Map<string, number>()
        const answered = new Set<string>()
        let maxHops = 0
        await h.walk(target, 'get_peers', { info_hash: target }, (r, from) => {
          const d = depth.get(`${from.host}:${from.port}`) ?? 0
          maxHops = Math.max(maxHops, d + 1)
          answered.add((r.id as Buffer).toString('hex'))
          const nodes = r.nodes
          if (!Buffer.isBuffer(nodes)) return
          for (let o = 0; o + 26 <= nodes.length; o += 26) {
            const key = `${nodes[o + 20]}.${nodes[o + 21]}.${nodes[o + 22]}.${nodes[o + 23]}:${nodes.readUInt16BE(o + 24)}`
            if (!depth.has(key)) depth.set(key, d + 1)
          }
        })
        answers += answered.size
        hops += maxHops
        found += truth[i]!.filter((id) => answered.has(id)).length / K
      }
    }),
  )
  const wall = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const l = targets.length
  return {
    impl,
    lookups: l,
    concurrent,
    socketConcurrency: slots,
    wallSeconds: Number(wall.toFixed(2)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    queriesPerLookup: Number(((h.stats().queriesOut - q0) / l).toFixed(1)),
    answersPerLookup: Number((answers / l).toFixed(1)),
    hopsPerLookup: Number((hops / l).toFixed(2)),
    closestFound: Number((found / l).toFixed(3)),
  }
}

/** The k closest ids by their first 64 XOR bits (a tie past them is vanishingly rare). */
function closest(target: Buffer, ids: Buffer[], self: Buffer): string[] {
  const t0 = target.readUInt32BE(0)
  const t1 = target.readUInt32BE(4)
  return ids
    .filter((id) => !id.equals(self))
    .map((id) => ({ id, hi: (id.readUInt32BE(0) ^ t0) >>> 0, lo: (id.readUInt32BE(4) ^ t1) >>> 0 }))
    .sort((a, b) => a.hi - b.hi || a.lo - b.lo)
    .slice(0, K)
    .map((x) => x.id.toString('hex'))
}

void main()
