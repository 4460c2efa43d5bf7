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
})
