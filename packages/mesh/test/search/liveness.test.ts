import { describe, expect, it } from 'vitest'
import { searchCodecs, type WireHit } from '../../src/search/codec.js'
import { ALIVE_RANK_LIFT, HitMerger } from '../../src/search/merge.js'

const NOW = 1_800_000_000
const hit = (n: number, over: Partial<WireHit> = {}): WireHit => ({
  infohashV1: String(n).padStart(2, '0').repeat(20),
  infohashV2: null,
  name: `Some.Show.S01E0${n}.1080p`,
  totalSize: 2_000_000_000,
  fileCount: 1,
  firstSeen: NOW - 1000,
  lastSeen: NOW - 10,
  score: 5,
  matchedFiles: [],
  flags: [],
  ...over,
})

const roundTrip = (hits: WireHit[]) =>
  searchCodecs.hits.decode(searchCodecs.hits.encode({ id: 1, hits, done: true }).dict).hits

describe('bb_search swarm liveness', () => {
  it('carries a (last alive) and p (peers seen) in a hit, and omits them when unknown', () => {
    const [a, b] = roundTrip([hit(1, { lastAlive: NOW - 60, peersSeen: 12 }), hit(2)])
    expect(a).toEqual(hit(1, { lastAlive: NOW - 60, peersSeen: 12 }))
    expect(b).toEqual(hit(2))
    expect(b).not.toHaveProperty('lastAlive')
    const d = searchCodecs.hits.encode({ id: 1, hits: [hit(2)], done: true }).dict
    expect(Object.keys((d.h as Record<string, unknown>[])[0]!)).not.toContain('a')
  })

  it('carries the aliveSince filter as query key v', () => {
    const q = { id: 3, text: 'show', limit: 10, deadlineMs: 500, aliveSince: NOW - 86_400 }
    expect(searchCodecs.query.decode(searchCodecs.query.encode(q).dict)).toEqual(q)
    const old = { id: 3, text: 'show', limit: 10, deadlineMs: 500 }
    expect(searchCodecs.query.decode(searchCodecs.query.encode(old).dict)).toEqual(old)
  })

  it('merges to the latest last-alive and the most peers over the holders', () => {
    const m = new HitMerger({ text: 'show' })
    m.add('a', [hit(1, { lastAlive: NOW - 500, peersSeen: 30 })], 1)
    m.add('b', [hit(1, { lastAlive: NOW - 50, peersSeen: 4 })], 1)
    m.add('c', [hit(1)], 1) // an older member: no liveness keys
    const [h] = m.top(10, NOW * 1000)
    expect(h?.lastAlive).toEqual(new Date((NOW - 50) * 1000))
    expect(h?.peersSeen).toBe(30)
    expect(h?.members).toBe(3)
  })

  it('ranks a torrent seen alive recently above an equal one never seen alive, by a modest factor', () => {
    const m = new HitMerger({ text: 'show' })
    m.add(
      'a',
      [hit(1), hit(2, { lastAlive: NOW - 3600, peersSeen: 2 }), hit(3, { lastAlive: NOW - 30 * 86_400 })],
      1,
    )
    const top = m.top(10, NOW * 1000)
    expect(top.map((h) => h.name)).toEqual([
      'Some.Show.S01E02.1080p',
      'Some.Show.S01E01.1080p',
      'Some.Show.S01E03.1080p',
    ])
    expect(top[0]!.rank / top[1]!.rank).toBeCloseTo(ALIVE_RANK_LIFT)
    // Seen alive a month ago is not "recently": no lift.
    expect(top[2]!.rank).toBe(top[1]!.rank)
    // The lift does not carry a clearly worse text match over a better one.
    const n = new HitMerger({ text: 'show' })
    n.add('a', [hit(1, { score: 10 }), hit(2, { score: 5, lastAlive: NOW })], 1)
    expect(n.top(10, NOW * 1000)[0]?.name).toBe('Some.Show.S01E01.1080p')
  })

  it('with aliveSince keeps only torrents some holder saw alive since, blaming no member', () => {
    const m = new HitMerger({ text: 'show', aliveSince: new Date((NOW - 86_400) * 1000) })
    m.add('old', [hit(1), hit(2)], 1)
    m.add('new', [hit(2, { lastAlive: NOW - 10 }), hit(3, { lastAlive: NOW - 2 * 86_400 })], 1)
    expect(m.top(10, NOW * 1000).map((h) => h.name)).toEqual(['Some.Show.S01E02.1080p'])
  })
})
