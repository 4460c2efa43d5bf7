// The slot scheduler of lookup/iterative.ts on an injected network whose replies the test hands
// out one at a time (the real-socket tests are in lookup.test.ts): who gets a freed slot.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { KrpcMessage, QueryCallback, QueryTarget } from '../src/krpc/types.js'
import { LookupScheduler } from '../src/lookup/iterative.js'
import type { LookupNetwork } from '../src/lookup/iterative.js'

interface FakeNetwork {
  net: LookupNetwork
  sent: { peer: QueryTarget; cb: QueryCallback }[]
  maxInflight(): number
  answer(i: number, ok: boolean): void
  bind(s: LookupScheduler): void
}

function fakeNetwork(concurrency: number): FakeNetwork {
  const sent: { peer: QueryTarget; cb: QueryCallback }[] = []
  let inflight = 0
  let max = 0
  let port = 1000
  const table = new Map<string, { id: Buffer; host: string; port: number }[]>()
  const sched: { s?: LookupScheduler } = {}
  const net: LookupNetwork = {
    ownId: randomBytes(20),
    k: 8,
    concurrency,
    backgroundConcurrency: 1,
    query: (peer, _msg, cb) => {
      max = Math.max(max, ++inflight)
      sent.push({ peer, cb })
    },
    inflight: () => inflight,
    queued: () => 0,
    // Three contacts per target (the same when asked again), none of which names further nodes.
    routingClosest: (target) => {
      const key = target.toString('hex')
      let c = table.get(key)
      if (!c)
        table.set(key, (c = [0, 1, 2].map(() => ({ id: randomBytes(20), host: '10.0.0.1', port: port++ }))))
      return c
    },
    bootstrap: [],
    removeContact: () => {},
    destroyed: () => false,
  }
  return {
    net,
    sent,
    maxInflight: () => max,
    // As the socket does: the query's own callback, then 'update'.
    answer: (i, ok) => {
      const { peer, cb } = sent[i]!
      inflight--
      const from = { address: peer.host, host: peer.host, port: peer.port }
      const res = { t: Buffer.alloc(2), y: Buffer.from('r'), r: { id: peer.id! } } as KrpcMessage
      if (ok) cb(null, res, from)
      else cb(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), null, from)
      sched.s?.onQueryFinished()
    },
    bind: (s) => void (sched.s = s),
  }
}

describe('lookup scheduler', () => {
  it('a freed slot goes to the oldest lookup, and one finished query wakes at most one waiter per free slot', async () => {
    const f = fakeNetwork(2)
    const sched = new LookupScheduler(f.net)
    f.bind(sched)
    const done: number[] = []
    const msg = { q: 'find_node', a: {} }
    const handles = Array.from({ length: 10 }, (_, i) =>
      sched.start(randomBytes(20), msg, false, null, () => void done.push(i)),
    )
    // The first lookup took both slots; nine wait.
    expect(f.sent.length).toBe(2)
    expect(sched.counters.wakeups).toBe(0)
    // Its reply frees a slot: the oldest lookup (itself) sends its third contact, nobody is woken.
    f.answer(0, true)
    expect(f.sent.length).toBe(3)
    expect(handles[0]!.stats.queries).toBe(3)
    expect(sched.counters.wakeups).toBe(0)
    // A timeout frees a slot the first lookup cannot use: exactly one waiter, the next oldest.
    f.answer(1, false)
    expect(sched.counters.wakeups).toBe(1)
    expect(f.sent.length).toBe(4)
    expect(handles[1]!.stats.queries).toBe(1)
    for (const h of handles.slice(2)) expect(h.stats.queries).toBe(0)
    // Its last reply ends the first lookup (two answers); its slot wakes the second lookup again,
    // which queued for its next contact, not a newer one.
    f.answer(2, true)
    await new Promise((r) => process.nextTick(r))
    expect(done).toEqual([0])
    expect(handles[0]!.stats.responders).toBe(2)
    expect(sched.counters.wakeups).toBe(2)
    expect(handles[1]!.stats.queries).toBe(2)
    for (const h of handles.slice(2)) expect(h.stats.queries).toBe(0)
    // Drain: every lookup ends, never more than two queries in flight.
    for (let i = 3; i < f.sent.length; i++) f.answer(i, true)
    await new Promise((r) => setImmediate(r))
    expect(done.sort((a, b) => a - b)).toEqual([...Array(10).keys()])
    expect(f.sent.length).toBe(30)
    expect(sched.counters.active).toBe(0)
    expect(f.maxInflight()).toBe(2)
  })
})
