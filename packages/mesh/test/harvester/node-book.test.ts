import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { NodeBook, type NodeBookOptions } from '../../src/harvester/node-book.js'
import { FailureCache } from '../../src/pipeline/failure-cache.js'

const opts: NodeBookOptions = {
  maxNodes: 3,
  resample: 'always',
  minIntervalS: 60,
  maxIntervalS: 3_600,
  maxFailures: 2,
}
const n = (i: number) => ({ host: `10.0.0.${i}`, port: 6881 })

describe('NodeBook', () => {
  it('clamps the interval between the floor and the cap', () => {
    const b = new NodeBook(opts)
    b.add(n(1), 0)
    b.add(n(2), 0)
    const e1 = b.nextDue(0)!
    b.claim(e1)
    b.sampled(e1, 5, 0)
    expect(e1.due).toBe(60_000)
    const e2 = b.nextDue(0)!
    b.claim(e2)
    b.sampled(e2, 999_999, 0)
    expect(e2.due).toBe(3_600_000)
    expect(b.nextDue(59_999)).toBeUndefined()
    expect(b.nextDue(60_000)?.key).toBe(e1.key)
  })

  it('is bounded, evicting the oldest ordinary node, and ignores bad endpoints', () => {
    const b = new NodeBook(opts)
    for (let i = 1; i <= 5; i++) b.add(n(i), 0)
    b.add({ host: '', port: 1 }, 0)
    b.add({ host: '1.2.3.4', port: 0 }, 0)
    b.add({ host: '1.2.3.4', port: 70_000 }, 0)
    expect(b.counters(0)).toMatchObject({ known: 3, added: 5, evicted: 2 })
  })

  it('forgets a node after maxFailures failed samples', () => {
    const b = new NodeBook(opts)
    b.add(n(1), 0)
    const e = b.nextDue(0)!
    b.failed(e, 1_000, 0)
    expect(b.nextDue(999)).toBeUndefined()
    expect(b.nextDue(1_000)?.key).toBe(e.key)
    b.failed(e, 1_000, 1_000)
    expect(b.size).toBe(0)
    expect(b.counters(0).forgotten).toBe(1)
  })

  it('does not re-add a forgotten node while the unresponsive cache blocks it', async () => {
    const clock = new ManualClock()
    const unresponsive = new FailureCache({ clock, maxEntries: 10, baseTtlMs: 60_000, maxTtlMs: 60_000 })
    const b = new NodeBook({ ...opts, maxFailures: 1, unresponsive })
    b.add(n(1), 0)
    b.failed(b.nextDue(0)!, 1_000, 0)
    b.add(n(1), 0)
    expect(b.size).toBe(0)
    expect(b.counters(0).skippedUnresponsive).toBe(1)
    await clock.advance(60_000)
    b.add(n(1), 60_000)
    expect(b.size).toBe(1)
  })

  it("'productive' keeps a node that yielded something new or holds more than it showed", () => {
    const b = new NodeBook({ ...opts, resample: 'productive' })
    for (const i of [1, 2, 3]) b.add(n(i), 0)
    const [e1, e2, e3] = [1, 2, 3].map(() => {
      const e = b.nextDue(0)!
      b.claim(e)
      return e
    })
    b.sampled(e1!, 60, 0, 5, 5) // showed everything, nothing new: retired
    b.sampled(e2!, 60, 0, 500, 20) // holds more than it showed: kept
    b.sampled(e3!, 60, 0, 5, 5)
    b.credit(e3!.key) // yielded a new infohash: kept
    const due: string[] = []
    for (let e = b.nextDue(60_000); e !== undefined; e = b.nextDue(60_000)) {
      due.push(e.key)
      b.claim(e)
    }
    expect(due.sort()).toEqual([e2!.key, e3!.key].sort())
    expect(b.counters(60_000).retired).toBe(1)
  })

  it('hands out a directed node before ordinary ones, but only once it is due', () => {
    const b = new NodeBook({ ...opts, maxNodes: 10 })
    b.add(n(1), 0)
    b.add(n(2), 5, true)
    expect(b.nextDue(4)?.key).toBe(n(1).host + ':6881')
    expect(b.nextDue(5)?.key).toBe(n(2).host + ':6881')
    // A known, never-sampled node promoted by a PORT sighting jumps the queue (directed nodes
    // among themselves go earliest due first).
    b.add(n(3), 0)
    b.add(n(3), 0, true)
    const order: string[] = []
    for (let e = b.nextDue(10); e !== undefined; e = b.nextDue(10)) {
      order.push(e.key)
      b.claim(e)
    }
    expect(order).toEqual(['10.0.0.3:6881', '10.0.0.2:6881', '10.0.0.1:6881'])
  })

  it('agrees with a full scan over a long random run (the queue is only an index)', () => {
    const b = new NodeBook({ ...opts, maxNodes: 200, resample: 'productive', maxFailures: 3 })
    let seed = 7
    const rnd = (m: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % m
    const entries = new Map<string, ReturnType<NodeBook['nextDue']>>()
    let now = 0
    let handed = 0
    for (let step = 0; step < 5_000; step++) {
      now += rnd(400)
      const i = rnd(300)
      b.add({ host: `10.1.${i >> 8}.${i & 255}`, port: 6881 }, now, rnd(20) === 0)
      const e = b.nextDue(now)
      // The reference: scan every node as the book did before it had a queue.
      const known = [...(b as unknown as { nodes: Map<string, NonNullable<typeof e>> }).nodes.values()]
      const due = known.filter((x) => x.due <= now)
      const best = due.find((x) => x.directed) ? due.filter((x) => x.directed) : due
      const earliest = Math.min(...best.map((x) => x.due))
      if (e === undefined) {
        // Only nodes the 'productive' rule retires may be left due.
        expect(due.every((x) => x.samples > 0 && x.newSinceLastSample === 0 && !x.holdsMore)).toBe(true)
        continue
      }
      handed++
      expect(e.due).toBe(earliest)
      expect(e.directed).toBe(best[0]!.directed)
      entries.set(e.key, e)
      b.claim(e)
      const r = rnd(10)
      if (r < 6) b.sampled(e, 60 + rnd(600), now, rnd(3) === 0 ? 50 : 5, 5)
      else b.failed(e, 1_000 + rnd(5_000), now)
      if (rnd(2) === 0) b.credit(e.key)
    }
    expect(handed).toBeGreaterThan(400)
  })
})
