// runTestnet with `community`: the K harvesters become members of one community over real loopback
// sockets; the summary says when all of them listed all the others, and the gossip cost.
import { describe, expect, it } from 'vitest'
import { runTestnet } from '../src/index.js'
import { liveResources, waitFor } from './helpers.js'

describe('runTestnet --community', () => {
  it('three harvesters converge to one membership; everything is closed afterwards', async () => {
    const before = liveResources()
    const summary = await runTestnet({
      nodes: 24,
      torrents: 10,
      seeds: 2,
      seed: 4,
      harvesters: 3,
      community: true,
      durationMs: 40_000,
    })
    expect(summary.community).toBeDefined()
    const c = summary.community!
    expect(c.members).toBe(3)
    expect(c.convergedMs).not.toBeNull()
    expect(c.perMember.messagesOut).toBeGreaterThan(0)
    expect(c.perMember.announces).toBeGreaterThanOrEqual(1)
    expect(c.gateFailures).toBe(0)
    const same = (): boolean => [...liveResources()].every(([kind, n]) => n <= (before.get(kind) ?? 0))
    await waitFor(same, 5_000, `resources released (${JSON.stringify([...liveResources()])})`)
  }, 90_000)
})
