// Child process: one query-answering node (ours or stock) with a realistic table and peer store.
// Prints its port on stdout, then serves until killed by the parent.
import { randomBytes } from 'node:crypto'
import DHT from 'bittorrent-dht'
import { DhtNode } from '../src/index.js'

export const BENCH_INFOHASH = Buffer.alloc(20, 0xab)

async function main(): Promise<void> {
  const kind = process.argv[2]
  const contacts = Array.from({ length: 200 }, (_, i) => ({
    id: randomBytes(20),
    host: '127.0.0.2',
    port: 20000 + i,
  }))
  let port: number
  if (kind === 'ours') {
    const n = new DhtNode({ bootstrap: false, rateLimit: false })
    port = (await n.listen(0, '127.0.0.1')).port
    for (const c of contacts) n.addNode(c)
    // 50 stored peers for the benchmark infohash, as if announced.
    const store = (n as unknown as { peers: { add(ih: Buffer, p: { host: string; port: number }): void } })
      .peers
    for (let i = 0; i < 50; i++) store.add(BENCH_INFOHASH, { host: '10.0.0.1', port: 1000 + i })
  } else {
    const d = new DHT({ bootstrap: false, host: false })
    await new Promise<void>((r) => d.listen(0, '127.0.0.1', r))
    port = d.address().port
    for (const c of contacts) d.addNode(c)
    const store = d as unknown as {
      _addPeer(p: { host: string; port: number }, ih: Buffer, from: unknown): void
    }
    for (let i = 0; i < 50; i++) store._addPeer({ host: '10.0.0.1', port: 1000 + i }, BENCH_INFOHASH, null)
  }
  process.stdout.write(`${port}\n`)
}

process.on('SIGTERM', () => process.exit(0))
void main()
