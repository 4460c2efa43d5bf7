import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import { toHex } from '../../src/hex.js'
import { FailureCache } from '../../src/pipeline/failure-cache.js'
import { Triage, type KnownInfohashes } from '../../src/pipeline/triage.js'

const ih = (s: string): Uint8Array => createHash('sha1').update(s).digest()

/** An index stand-in that holds a set and counts lookups; the index itself is not under test here. */
function fakeIndex(held: Uint8Array[] = []): KnownInfohashes & { lookups: number } {
  const set = new Set(held.map(toHex))
  return {
    lookups: 0,
    async has(x) {
      this.lookups++
      await Promise.resolve()
      return set.has(toHex(x))
    },
  }
}

describe('Triage', () => {
  it('skips what the index holds, and remembers it in the Bloom filter', async () => {
    const index = fakeIndex([ih('old')])
    const t = new Triage({ known: index, maxPending: 10 })
    expect(await t.offer(ih('old'))).toBe('known-index')
    expect(await t.offer(ih('old'))).toBe('known-bloom')
    expect(index.lookups).toBe(1)
    expect(await t.offer(ih('fresh'))).toBe('new')
    expect(t.counters()).toMatchObject({
      'known-index': 1,
      'known-bloom': 1,
      new: 1,
      pending: 1,
      indexLookups: 2,
    })
  })

  it('skips pending and in-flight infohashes; settle() makes them known, release() lets them back', async () => {
    const t = new Triage({ known: fakeIndex(), maxPending: 10 })
    expect(await t.offer(ih('a'))).toBe('new')
    expect(await t.offer(ih('a'))).toBe('pending')
    const c = await t.next()
    expect(c?.hex).toBe(toHex(ih('a')))
    expect(c?.sightings).toBe(2)
    expect(await t.offer(ih('a'))).toBe('in-flight')
    t.settle(ih('a'))
    expect(await t.offer(ih('a'))).toBe('known-bloom')

    await t.offer(ih('b'))
    await t.next()
    t.release(ih('b'))
    expect(await t.offer(ih('b'))).toBe('new')
  })

  it('hands out the most-sighted candidate first, oldest first among equals', async () => {
    const t = new Triage({ known: fakeIndex(), maxPending: 100 })
    for (const s of ['x', 'y', 'z', 'w']) await t.offer(ih(s))
    for (let i = 0; i < 3; i++) await t.offer(ih('z'))
    await t.offer(ih('y'))
    const order: string[] = []
    for (let c = t.tryNext(); c !== undefined; c = t.tryNext()) order.push(c.hex)
    expect(order).toEqual(['z', 'y', 'x', 'w'].map((s) => toHex(ih(s))))
  })

  it('hands out background work (replication) only after every DHT sighting, until one upgrades it', async () => {
    const t = new Triage({ known: fakeIndex(), maxPending: 10 })
    await t.offer(ih('copy-a'), true)
    await t.offer(ih('copy-a'), true)
    await t.offer(ih('copy-b'), true)
    await t.offer(ih('sighted'))
    await t.offer(ih('copy-b')) // sighted on the DHT too: no longer background
    const order = [t.tryNext(), t.tryNext(), t.tryNext()].map((c) => c && toHex(c.infohash))
    expect(order).toEqual([ih('copy-b'), ih('sighted'), ih('copy-a')].map(toHex))
  })

  it('counts sightings that arrive while the index is being asked', async () => {
    const t = new Triage({ known: fakeIndex(), maxPending: 10 })
    const verdicts = await Promise.all([t.offer(ih('q')), t.offer(ih('q')), t.offer(ih('q'))])
    expect(verdicts).toEqual(['new', 'pending', 'pending'])
    expect(t.tryNext()?.sightings).toBe(3)
  })

  it('skips infohashes the failure cache blocks', async () => {
    const clock = new ManualClock()
    const failures = new FailureCache({ clock, maxEntries: 10, baseTtlMs: 1_000, maxTtlMs: 1_000 })
    const t = new Triage({ known: fakeIndex(), maxPending: 10, failures })
    failures.record(toHex(ih('dead')), 'no-peers')
    expect(await t.offer(ih('dead'))).toBe('failed')
    await clock.advance(1_000)
    expect(await t.offer(ih('dead'))).toBe('new')
  })

  it('is bounded: newcomers are dropped while maxPending wait', async () => {
    const t = new Triage({ known: fakeIndex(), maxPending: 2 })
    expect(await t.offer(ih('1'))).toBe('new')
    expect(await t.offer(ih('2'))).toBe('new')
    expect(await t.offer(ih('3'))).toBe('dropped')
    t.tryNext()
    expect(await t.offer(ih('3'))).toBe('new')
  })

  it('repeat sightings do not grow its memory without bound', async () => {
    const t = new Triage({ known: fakeIndex(), maxPending: 10 })
    await t.offer(ih('hot'))
    for (let i = 0; i < 10_000; i++) await t.offer(ih('hot'))
    const c = t.tryNext()
    expect(c?.sightings).toBe(10_001)
    expect(t.tryNext()).toBeUndefined()
  })

  it('next() waits for a candidate and ends on close()', async () => {
    const t = new Triage({ known: fakeIndex(), maxPending: 10 })
    const waiting = t.next()
    await t.offer(ih('late'))
    expect((await waiting)?.hex).toBe(toHex(ih('late')))
    const ended = t.next()
    t.close()
    expect(await ended).toBeUndefined()
    expect(await t.offer(ih('after'))).toBe('closed')
  })

  it('starts a new Bloom generation when one is full and still remembers the previous', async () => {
    const index = fakeIndex()
    const t = new Triage({ known: index, maxPending: 10, bloomItems: 4 })
    for (let i = 0; i < 6; i++) t.settle(ih(`s${i}`))
    for (let i = 0; i < 6; i++) expect(await t.offer(ih(`s${i}`))).toBe('known-bloom')
    expect(index.lookups).toBe(0)
  })
})
