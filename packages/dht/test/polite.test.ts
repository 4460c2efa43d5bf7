import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { QueueFullError } from '../src/errors.js'
import { ItemStore } from '../src/item-store.js'
import { DhtNode } from '../src/node.js'
import { PeerStore } from '../src/peer-store.js'
import { KeyedRateLimiter } from '../src/rate-limit.js'
import { TokenManager } from '../src/tokens.js'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()))
})

describe('outgoing caps', () => {
  it('spaces queries beyond the per-second cap and fails fast when the queue is full', async () => {
    // A silent UDP listener we own records when each query arrives; it never answers.
    const sink = createSocket('udp4')
    const arrivals: number[] = []
    sink.on('message', () => arrivals.push(performance.now()))
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r))
    cleanup.push(() => new Promise((r) => sink.close(() => r())))
    const n = new DhtNode({
      bootstrap: false,
      outboundQueriesPerSecond: 20,
      maxPendingQueries: 10,
      timeoutMs: 200,
    })
    cleanup.push(() => n.destroy())
    await n.listen(0, '127.0.0.1')
    const t0 = performance.now()
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        n.ping({ host: '127.0.0.1', port: sink.address().port }).then(
          () => null,
          (e: unknown) => e,
        ),
      ),
    )
    const full = results.filter((e) => e instanceof QueueFullError).length
    // Burst is 2 (rate / 10), 10 may wait, the other 18 are refused at once.
    expect(full).toBe(18)
    expect(n.stats().dropped.queueFull).toBe(18)
    expect(n.stats().queriesOut).toBe(12)
    await new Promise((r) => setTimeout(r, 50))
    expect(arrivals).toHaveLength(12)
    // At 20/s the k-th queued query (after the burst of 2) may leave no earlier than k * 50 ms.
    // Lower bounds only: a loaded machine can make them later, never earlier (10 ms for rounding).
    for (let k = 1; k <= 10; k++)
      expect(arrivals[1 + k]! - t0, `queued query ${k}`).toBeGreaterThanOrEqual(k * 50 - 10)
  })
})

describe('bounded stores', () => {
  it('peer store caps infohashes and peers per infohash and expires entries', () => {
    let now = 0
    const s = new PeerStore({ maxInfohashes: 3, maxPeersPerInfohash: 2, ttlMs: 1000, now: () => now })
    const ihs = Array.from({ length: 5 }, () => randomBytes(20))
    for (const ih of ihs) for (let p = 1; p <= 4; p++) s.add(ih, { host: '1.2.3.4', port: p })
    expect(s.size).toBe(3)
    expect(s.get(ihs[0]!, 100)).toEqual([])
    expect(s.get(ihs[4]!, 100).length).toBe(2)
    now = 1000
    expect(s.get(ihs[4]!, 100)).toEqual([])
    expect(s.infohashes()).toEqual([])
  })

  it('item store caps items and expires them', () => {
    let now = 0
    const s = new ItemStore({ maxItems: 2, ttlMs: 50, now: () => now })
    const t = [randomBytes(20), randomBytes(20), randomBytes(20)]
    for (const x of t) s.set(x, { v: Buffer.from('v') })
    expect(s.size).toBe(2)
    expect(s.get(t[0]!)).toBeNull()
    expect(s.get(t[2]!)).not.toBeNull()
    now = 50
    expect(s.get(t[2]!)).toBeNull()
  })

  it('rate limiter tracks a bounded number of IPs and refills', () => {
    let now = 0
    const rl = new KeyedRateLimiter({ rate: 10, burst: 2, maxKeys: 100 }, () => now)
    expect(rl.take('a')).toBe(true)
    expect(rl.take('a')).toBe(true)
    expect(rl.take('a')).toBe(false)
    now = 100
    expect(rl.take('a')).toBe(true)
    for (let i = 0; i < 1000; i++) rl.take(`ip${i}`)
    expect(rl.size).toBe(100)
  })

  it('tokens are valid for the current and the previous secret only', () => {
    let now = 0
    const tm = new TokenManager(() => now)
    const tok = tm.issue('1.2.3.4')
    expect(tm.verify('1.2.3.4', tok)).toBe(true)
    expect(tm.verify('1.2.3.5', tok)).toBe(false)
    now = 5 * 60 * 1000
    expect(tm.verify('1.2.3.4', tok)).toBe(true)
    now = 10 * 60 * 1000
    expect(tm.verify('1.2.3.4', tok)).toBe(false)
  })
})
