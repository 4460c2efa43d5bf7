// A re-announce after churn: bittorrent-dht announces to the nodes its last lookup of the infohash
// met (kept for 5 minutes). When all of those are gone, the engine looks the infohash up afresh
// instead of reporting that the announce reached nobody (a seeder re-announcing every few minutes
// on a network that changed under it).
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { DhtNode } from '../src/node.js'
import { createDhtTestnet } from '../src/testnet.js'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()))
})

describe('announce and put after the nodes of the last lookup are gone', () => {
  it('looks the infohash up again and reaches the nodes that are there now', async () => {
    const net = await createDhtTestnet(6, { timeoutMs: 400 })
    cleanup.push(() => net.destroy())
    const a = net.nodes[0]!
    const ih = randomBytes(20)
    expect(await a.announce(ih, 4242)).toBeGreaterThan(0)
    const item = { note: 'kept across churn' }
    expect((await a.putImmutable(item)).stored).toBeGreaterThan(0)
    // Every node a's announce reached goes away; new nodes join through a.
    await Promise.all(net.nodes.slice(1).map((n) => n.destroy()))
    const fresh: DhtNode[] = []
    for (let i = 0; i < 6; i++) {
      const n = new DhtNode({
        bootstrap: [`127.0.0.1:${a.address()!.port}`],
        rateLimit: false,
        outboundQueriesPerSecond: false,
        timeoutMs: 400,
      })
      cleanup.push(() => n.destroy())
      await n.listen(0, '127.0.0.1')
      await n.bootstrap()
      fresh.push(n)
    }
    expect(await a.announce(ih, 4242)).toBeGreaterThan(0)
    // A put goes the same way: the nodes that took the first one are gone.
    expect((await a.putImmutable(item)).stored).toBeGreaterThan(0)
    // A newcomer finds the peer through the fresh nodes that took the re-announce.
    const peers = await fresh[5]!.lookup(ih)
    expect(peers.some((p) => p.port === 4242)).toBe(true)
  })
})
