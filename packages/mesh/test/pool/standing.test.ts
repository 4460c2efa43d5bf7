// The pool's judgement of members, on a manual clock: junk entries are refused and strike, floods
// strike per 100 drops, a member none of whose sightings fetch strikes per window, an honest member's
// failures within the share do not; strikes demote, then ban for a while; strikes fade with time.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock.js'
import type { PooledSighting } from '../../src/pool/codec.js'
import { MemberStanding } from '../../src/pool/standing.js'

const storer = { host: '10.0.0.1', port: 6881 }
const good = (): PooledSighting => ({ infohash: randomBytes(20), via: 'sample', storer })

describe('member standing', () => {
  it('refuses junk entries and strikes the message; demotes at 3, bans at 6 and tells the pool', async () => {
    const clock = new ManualClock()
    const banned: string[] = []
    const s = new MemberStanding(clock, {}, (who) => banned.push(who))
    const junk: PooledSighting[] = [
      { infohash: randomBytes(20), via: 'get_peers', storer: { host: '0.1.2.3', port: 1 } },
      { infohash: randomBytes(20), via: 'sample', storer: { host: '239.1.1.1', port: 1 } },
      { infohash: randomBytes(20), via: 'announce', peer: { host: '255.255.255.255', port: 1 } },
      { infohash: Buffer.alloc(20), via: 'get_peers' },
    ]
    const kept = s.screen('liar', [good(), ...junk])
    expect(kept.length).toBe(1)
    expect(s.counters).toMatchObject({ junkEntries: 4, junkMessages: 1, strikes: 1 })
    // What honest members send: repeats (two storers), a sample or announce whose IPv6 endpoint
    // travelled as none.
    const twice = good()
    const honest: PooledSighting[] = [
      twice,
      { ...twice, storer: { host: '10.0.0.2', port: 6881 } },
      { infohash: randomBytes(20), via: 'sample' },
      { infohash: randomBytes(20), via: 'announce' },
    ]
    expect(s.screen('honest', honest).length).toBe(4)
    expect(s.counters.strikes).toBe(1)
    s.screen('liar', junk)
    expect(s.isDemoted('liar')).toBe(false)
    s.screen('liar', junk)
    expect(s.isDemoted('liar')).toBe(true)
    for (let i = 0; i < 3; i++) s.screen('liar', junk)
    expect(s.isBanned('liar')).toBe(true)
    expect(banned).toEqual(['liar'])
    expect(s.counters).toMatchObject({ demoted: 1, banned: 1 })
    expect(s.isBanned('honest')).toBe(false)
    await clock.advance(60 * 60_000)
    expect(s.isBanned('liar')).toBe(false)
  })

  it('judges a member by how its sightings fetch: never is a strike, the odd success is not', () => {
    const s = new MemberStanding(new ManualClock(), { judgeEvery: 8, minFetchedShare: 1 / 8 })
    const hand = (who: string, ok: (i: number) => boolean): void => {
      for (let i = 0; i < 8; i++) {
        const ih = randomBytes(20)
        s.handedOver(ih, who)
        s.settled(ih, ok(i))
      }
    }
    hand('liar', () => false)
    hand('honest', (i) => i === 0) // one in eight fetched: a dead-swarm-heavy but real crawl
    expect(s.counters).toMatchObject({ strikes: 1, memberFetched: 1, memberUnfetchable: 15 })
    s.settled(randomBytes(20), false) // not handed over by anyone: ours, nobody to judge
    expect(s.counters.memberUnfetchable).toBe(15)
  })

  it('holds a member to our own share: where our sightings fail as much, the region is dead', () => {
    const s = new MemberStanding(new ManualClock(), { judgeEvery: 8, minFetchedShare: 1 / 8 })
    for (let i = 0; i < 8; i++) s.settled(randomBytes(20), false) // ours: nothing fetches either
    for (let i = 0; i < 8; i++) {
      const ih = randomBytes(20)
      s.handedOver(ih, 'member')
      s.settled(ih, false)
    }
    expect(s.counters.strikes).toBe(0)
    for (let i = 0; i < 16; i++) s.settled(randomBytes(20), true) // ours fetch now: half of 24
    for (let i = 0; i < 8; i++) {
      const ih = randomBytes(20)
      s.handedOver(ih, 'member')
      s.settled(ih, false)
    }
    expect(s.counters.strikes).toBe(1)
  })

  it('strikes a flood once per 100 drops, and forgives a strike per forgiveMs', async () => {
    const clock = new ManualClock()
    const s = new MemberStanding(clock, { forgiveMs: 1_000 })
    for (let i = 0; i < 300; i++) s.flooded('noisy')
    expect(s.counters.strikes).toBe(3)
    expect(s.isDemoted('noisy')).toBe(true)
    await clock.advance(1_000)
    expect(s.isDemoted('noisy')).toBe(false) // 2 strikes left: below the demotion bound again
  })
})
