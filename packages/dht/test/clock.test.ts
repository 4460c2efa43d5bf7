import { afterEach, describe, expect, it } from 'vitest'
import type { Clock, Timer } from '../src/clock.js'
import { DhtNode } from '../src/node.js'
import { QueryTimeoutError } from '../src/errors.js'
import { MemoryNetwork } from '../src/transport/memory.js'

/** Virtual time that moves only in advance(): due timers fire in order, promises settle between. */
class TestClock implements Clock {
  private t = 0
  private seq = 0
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = []
  now(): number {
    return this.t
  }
  setTimeout(fn: () => void, ms: number): Timer {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, live: true }
    this.timers.push(timer)
    return { cancel: () => void (timer.live = false) }
  }
  get pending(): number {
    return this.timers.filter((x) => x.live).length
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      await new Promise((r) => setImmediate(r))
      this.timers = this.timers.filter((x) => x.live)
      const next = this.timers.reduce<(typeof this.timers)[number] | undefined>(
        (a, b) => (!a || b.at < a.at || (b.at === a.at && b.seq < a.seq) ? b : a),
        undefined,
      )
      if (!next || next.at > end) break
      this.t = Math.max(this.t, next.at)
      next.live = false
      next.fn()
    }
    this.t = end
  }
}

const nodes: DhtNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.destroy()))
})

function node(network: MemoryNetwork, clock: Clock, timeoutMs = 1_000): DhtNode {
  const n = new DhtNode({
    bootstrap: false,
    transport: network.createTransport(),
    rateLimit: false,
    outboundQueriesPerSecond: false,
    timeoutMs,
    clock,
  })
  nodes.push(n)
  return n
}

describe('an injected clock', () => {
  it('carries datagram latency and query timeouts: nothing moves until virtual time does', async () => {
    const clock = new TestClock()
    const network = new MemoryNetwork({ latencyMs: 40, clock })
    const a = node(network, clock)
    const b = node(network, clock)
    await a.listen()
    const bAddr = await b.listen()
    let rtt: number | null = null
    const ping = a.ping({ host: bAddr.address, port: bAddr.port }).then((r) => (rtt = r.rttMs))
    await clock.advance(79)
    expect(rtt).toBeNull()
    await clock.advance(1)
    await ping
    // Two one-way hops of exactly 40 virtual ms, whatever the wall clock did meanwhile.
    expect(rtt).toBe(80)

    const lost = a.ping({ host: '10.9.9.9', port: 1 }).then(
      () => null,
      (err: unknown) => err,
    )
    await clock.advance(999)
    const settled = await Promise.race([lost, Promise.resolve('pending')])
    expect(settled).toBe('pending')
    await clock.advance(250) // the timeout check runs every quarter timeout
    expect(await lost).toBeInstanceOf(QueryTimeoutError)
    expect(a.stats().timeouts).toBe(1)
  })

  it('storePeer lays out content that get_peers then serves', async () => {
    const clock = new TestClock()
    const network = new MemoryNetwork({ latencyMs: 5, clock })
    const a = node(network, clock)
    const b = node(network, clock)
    await a.listen()
    const bAddr = await b.listen()
    const ih = Buffer.alloc(20, 7)
    b.storePeer(ih, { host: '10.1.2.3', port: 51413 })
    expect(b.stats().storedInfohashes).toBe(1)
    const reply = a.query({ host: bAddr.address, port: bAddr.port }, 'get_peers', { info_hash: ih })
    await clock.advance(10)
    const r = await reply
    expect(Array.isArray(r.values) && r.values.length).toBe(1)
  })

  it('leaves no timer behind once the nodes are destroyed', async () => {
    const clock = new TestClock()
    const network = new MemoryNetwork({ latencyMs: 5, clock })
    const a = node(network, clock)
    await a.listen()
    void a.ping({ host: '10.9.9.9', port: 1 }).catch(() => undefined)
    await clock.advance(10) // the datagram has gone (undeliverable); the timeout check waits
    expect(clock.pending).toBe(1)
    await a.destroy()
    expect(clock.pending).toBe(0)
  })
})
