import { describe, expect, it } from 'vitest'
import { BoundedQueue } from '../../src/pipeline/bounded-queue.js'

describe('BoundedQueue', () => {
  it('is FIFO and hands items straight to a waiting consumer', async () => {
    const q = new BoundedQueue<number>({ capacity: 3 })
    const first = q.take()
    expect(q.offer(1)).toBe(true)
    expect(await first).toBe(1)
    q.offer(2)
    q.offer(3)
    expect(await q.take()).toBe(2)
    expect(await q.take()).toBe(3)
    expect(q.counters()).toMatchObject({ accepted: 3, taken: 3, dropped: 0, size: 0 })
  })

  it('drop-new refuses newcomers when full and counts them', () => {
    const q = new BoundedQueue<number>({ capacity: 2 })
    expect([q.offer(1), q.offer(2), q.offer(3)]).toEqual([true, true, false])
    expect(q.tryTake()).toBe(1)
    expect(q.tryTake()).toBe(2)
    expect(q.counters()).toMatchObject({ dropped: 1, highWater: 2 })
  })

  it('drop-oldest makes room by evicting the head', () => {
    const q = new BoundedQueue<number>({ capacity: 2, dropPolicy: 'drop-oldest' })
    for (const n of [1, 2, 3, 4]) expect(q.offer(n)).toBe(true)
    expect([q.tryTake(), q.tryTake(), q.tryTake()]).toEqual([3, 4, undefined])
    expect(q.counters().dropped).toBe(2)
  })

  it('put() waits for room (backpressure) and never drops', async () => {
    const q = new BoundedQueue<number>({ capacity: 1 })
    await q.put(1)
    let done = false
    const p = q.put(2).then((ok) => {
      done = ok
    })
    await Promise.resolve()
    expect(done).toBe(false)
    expect(q.size).toBe(1)
    expect(q.tryTake()).toBe(1)
    await p
    expect(done).toBe(true)
    expect(q.tryTake()).toBe(2)
    expect(q.counters().dropped).toBe(0)
  })

  it('close() refuses new items, fails waiting producers, drains then ends consumers', async () => {
    const q = new BoundedQueue<number>({ capacity: 1 })
    q.offer(1)
    const blocked = q.put(2)
    q.close()
    expect(await blocked).toBe(false)
    expect(q.offer(3)).toBe(false)
    const seen: number[] = []
    for await (const n of q) seen.push(n)
    expect(seen).toEqual([1])
    expect(await q.take()).toBeUndefined()
    q.close()
  })

  it('wakes every waiting consumer on close', async () => {
    const q = new BoundedQueue<string>({ capacity: 4 })
    const waiting = [q.take(), q.take()]
    q.close()
    expect(await Promise.all(waiting)).toEqual([undefined, undefined])
  })

  it('keeps order across many items (internal compaction)', () => {
    const q = new BoundedQueue<number>({ capacity: 10_000 })
    const out: number[] = []
    for (let i = 0; i < 20_000; i++) {
      q.offer(i)
      if (i % 3 !== 0) out.push(q.tryTake()!)
    }
    while (q.size > 0) out.push(q.tryTake()!)
    expect(out).toEqual(Array.from({ length: 20_000 }, (_, i) => i))
  })

  it('rejects a capacity below 1', () => {
    expect(() => new BoundedQueue({ capacity: 0 })).toThrow(RangeError)
  })
})
