import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { ClosedError, PersistError } from '../../src/errors.js'
import { BatchedPersister } from '../../src/pipeline/batched-persister.js'

function store(failures = 0) {
  const batches: number[][] = []
  let fail = failures
  return {
    batches,
    get items() {
      return batches.flat()
    },
    failNext(n: number) {
      fail = n
    },
    write: async (batch: number[]) => {
      await Promise.resolve()
      if (fail > 0) {
        fail--
        throw new Error('disk full')
      }
      batches.push([...batch])
    },
  }
}

describe('BatchedPersister', () => {
  it('flushes every maxItems', async () => {
    const clock = new ManualClock()
    const s = store()
    const p = new BatchedPersister({ write: s.write, clock, maxItems: 3, maxDelayMs: 1_000 })
    for (let i = 0; i < 7; i++) await p.add(i)
    await clock.advance(0)
    expect(s.batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ])
    expect(p.counters()).toMatchObject({ accepted: 7, written: 6, batches: 2, buffered: 1 })
    await p.stop()
  })

  it('flushes a partial batch after maxDelayMs', async () => {
    const clock = new ManualClock()
    const s = store()
    const p = new BatchedPersister({ write: s.write, clock, maxItems: 100, maxDelayMs: 500 })
    await p.add(1)
    await clock.advance(300)
    await p.add(2)
    await clock.advance(199)
    expect(s.batches).toEqual([])
    await clock.advance(1)
    expect(s.batches).toEqual([[1, 2]])
    expect(clock.pending).toBe(0)
    await p.stop()
  })

  it('stop() writes everything accepted, is idempotent, and refuses later adds', async () => {
    const clock = new ManualClock()
    const s = store()
    const p = new BatchedPersister({ write: s.write, clock, maxItems: 4, maxDelayMs: 60_000 })
    for (let i = 0; i < 10; i++) await p.add(i)
    await Promise.all([p.stop(), p.stop()])
    await p.stop()
    expect(s.items).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    await expect(p.add(11)).rejects.toBeInstanceOf(ClosedError)
    expect(clock.pending).toBe(0)
  })

  it('a failed write loses nothing: the batch is retried after maxDelayMs, in order', async () => {
    const clock = new ManualClock()
    const s = store(1)
    const errors: unknown[] = []
    const p = new BatchedPersister({
      write: s.write,
      clock,
      maxItems: 2,
      maxDelayMs: 100,
      onError: (e) => errors.push(e),
    })
    await p.add(1)
    await p.add(2)
    await clock.advance(0)
    expect(errors).toHaveLength(1)
    await p.add(3)
    await clock.advance(100)
    await clock.advance(100)
    expect(s.items).toEqual([1, 2, 3])
    expect(p.counters()).toMatchObject({ failures: 1, written: 3 })
    await p.stop()
  })

  it('stop() reports a final failure with the unwritten count, and can be retried', async () => {
    const clock = new ManualClock()
    const s = store()
    const p = new BatchedPersister({ write: s.write, clock, maxItems: 10, maxDelayMs: 1_000 })
    await p.add(1)
    await p.add(2)
    s.failNext(1)
    const err = await p.stop().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PersistError)
    expect((err as PersistError).unwritten).toBe(2)
    expect(p.unwritten()).toEqual([1, 2])
    await p.stop()
    expect(s.items).toEqual([1, 2])
  })

  it('add() applies backpressure while the buffer is full', async () => {
    const clock = new ManualClock()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const written: number[] = []
    const p = new BatchedPersister<number>({
      write: async (b) => {
        await gate
        written.push(...b)
      },
      clock,
      maxItems: 2,
      maxDelayMs: 1_000,
      maxBuffered: 4,
    })
    for (let i = 0; i < 6; i++) await p.add(i) // 2 in the stuck write, 4 buffered
    let accepted = false
    const blocked = p.add(6).then(() => (accepted = true))
    await clock.advance(0)
    expect(accepted).toBe(false)
    expect(p.counters().buffered).toBe(4)
    release()
    await blocked
    await p.stop()
    expect(written).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('add() gives up waiting for room when its signal aborts', async () => {
    const clock = new ManualClock()
    const p = new BatchedPersister<number>({
      write: () => Promise.reject(new Error('down')),
      clock,
      maxItems: 2,
      maxDelayMs: 1_000,
      maxBuffered: 2,
    })
    await p.add(1)
    await p.add(2)
    await clock.advance(1_000) // the writes fail; the store is now known to be failing
    const ac = new AbortController()
    const waiting = p.add(3, ac.signal)
    await clock.advance(10)
    ac.abort(new Error('stopping'))
    await expect(waiting).rejects.toThrow('stopping')
    await p.add(4, ac.signal).catch(() => undefined)
    expect(p.counters().accepted).toBe(2)
    await expect(p.stop()).rejects.toBeInstanceOf(PersistError)
    expect(p.unwritten()).toEqual([1, 2])
  })
})
