// Our iterative lookup (lookup/iterative.ts) over loopback UDP, on a network of 30 of our nodes and
// 10 stock bittorrent-dht nodes. Ground truth comes from the known ids of every node.
import dgram from 'node:dgram'
import { randomBytes } from 'node:crypto'
import DHT from 'bittorrent-dht'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verify } from '../src/adapter/ed25519.js'
import { AbortError } from '../src/errors.js'
import type { KrpcSocket } from '../src/krpc/socket.js'
import type { KrpcOutgoingQuery, QueryCallback, QueryTarget } from '../src/krpc/types.js'
import { DhtNode } from '../src/node.js'
import type { DhtNodeOptions } from '../src/node-options.js'
import { createDhtTestnet } from '../src/testnet.js'
import type { DhtTestnet } from '../src/testnet.js'

const K = 8
let net: DhtTestnet
const stocks: InstanceType<typeof DHT>[] = []
/** Every node of the network as id + address. */
let everyone: { id: Buffer; host: string; port: number }[] = []
// Queriers stay up until the end: a destroyed one would linger in routing tables as a dead
// contact, and later tests would wait out its timeouts.
const cleanup: (() => Promise<void>)[] = []

beforeAll(async () => {
  net = await createDhtTestnet(30)
  for (let i = 0; i < 10; i++) {
    const d = new DHT({ bootstrap: net.bootstrap, verify, host: false })
    stocks.push(d)
    await new Promise<void>((resolve) => {
      let n = 0
      const done = (): void => void (++n === 2 && resolve())
      d.once('ready', done)
      d.listen(0, '127.0.0.1', done)
    })
  }
  everyone = [
    ...net.nodes.map((n) => ({ id: n.id, host: '127.0.0.1', port: n.address()!.port })),
    ...stocks.map((d) => ({ id: d.nodeId, host: '127.0.0.1', port: d.address().port })),
  ]
})
afterAll(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()))
  await Promise.all(stocks.map((d) => new Promise<void>((r) => d.destroy(() => r()))))
  await net.destroy()
})

async function querier(opts: DhtNodeOptions = {}): Promise<DhtNode> {
  const n = new DhtNode({
    bootstrap: net.bootstrap,
    rateLimit: false,
    outboundQueriesPerSecond: false,
    k: K,
    ...opts,
  })
  cleanup.push(() => n.destroy())
  const addr = await n.listen(0, '127.0.0.1')
  // Live nodes the others may now know: part of the ground truth.
  everyone.push({ id: n.id, host: '127.0.0.1', port: addr.port })
  if (opts.bootstrap !== false) await n.bootstrap()
  return n
}

function trueClosest(target: Buffer, exclude: Buffer): string[] {
  const dist = (id: Buffer): Buffer => Buffer.from(id.map((x, i) => x ^ target[i]!))
  return everyone
    .filter((n) => !n.id.equals(exclude))
    .sort((a, b) => Buffer.compare(dist(a.id), dist(b.id)))
    .slice(0, K)
    .map((n) => n.id.toString('hex'))
}

/** Records every query the node's socket sends with the in-flight count just before it. */
function recordSends(socket: KrpcSocket): { q: KrpcOutgoingQuery; inflightBefore: number }[] {
  const log: { q: KrpcOutgoingQuery; inflightBefore: number }[] = []
  const send = socket.query.bind(socket)
  socket.query = (peer: QueryTarget, q: KrpcOutgoingQuery, cb?: QueryCallback): void => {
    log.push({ q, inflightBefore: socket.inflight })
    send(peer, q, cb)
  }
  return log
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('iterative lookup', () => {
  it('find_node and get_peers lookups reach the true k closest nodes', async () => {
    const q = await querier()
    for (let i = 0; i < 6; i++) {
      const target = randomBytes(20)
      const method = i % 2 ? 'get_peers' : 'find_node'
      const args = method === 'find_node' ? { target } : { info_hash: target }
      const answered = new Set<string>()
      const n = await q.walk(target, method, args, (r) => void answered.add((r.id as Buffer).toString('hex')))
      expect(n).toBe(answered.size)
      for (const id of trueClosest(target, q.id)) expect(answered, `${method} ${id}`).toContain(id)
    }
  })

  it('announce then lookup finds the announced peer (ours and stock as announcer)', async () => {
    const a = await querier()
    const b = await querier()
    const ih = randomBytes(20)
    expect(await a.announce(ih, 6123)).toBeGreaterThan(0)
    expect(await b.lookup(ih)).toContainEqual({ host: '127.0.0.1', port: 6123 })
    const ih2 = randomBytes(20)
    await new Promise<void>((resolve, reject) =>
      stocks[3]!.announce(ih2, 6124, (err) => (err ? reject(err) : resolve())),
    )
    // Concurrent lookups of two infohashes: each gets only its own peers (one shared listener).
    const [p1, p2] = await Promise.all([b.lookup(ih), b.lookup(ih2)])
    expect(p1).toContainEqual({ host: '127.0.0.1', port: 6123 })
    expect(p1).not.toContainEqual({ host: '127.0.0.1', port: 6124 })
    expect(p2).toContainEqual({ host: '127.0.0.1', port: 6124 })
    expect(p2).not.toContainEqual({ host: '127.0.0.1', port: 6123 })
  })

  it('visit returning false stops: nothing is sent after it, fewer queries than a full lookup', async () => {
    // Two queries in flight at most: a full lookup needs k answers, the stopped one sends two.
    const q = await querier({ concurrency: 2 })
    const target = randomBytes(20)
    const before = q.stats().queriesOut
    await q.walk(target, 'find_node', { target }, () => undefined)
    const full = q.stats().queriesOut - before

    const target2 = randomBytes(20)
    const start = q.stats().queriesOut
    let atStop = -1
    const n = await q.walk(target2, 'find_node', { target: target2 }, () => {
      if (atStop < 0) atStop = q.stats().queriesOut
      return false
    })
    expect(atStop).toBeGreaterThan(start)
    expect(q.stats().queriesOut).toBe(atStop)
    expect(n).toBeGreaterThan(0)
    expect(full).toBeGreaterThanOrEqual(K)
    expect(atStop - start).toBeLessThanOrEqual(2)
  })

  it('an AbortSignal rejects walk() and lookup() at once and no query follows', async () => {
    const q = await querier()
    const ac = new AbortController()
    let atAbort = -1
    const target = randomBytes(20)
    const walk = q.walk(
      target,
      'find_node',
      { target },
      () => {
        if (atAbort < 0) {
          atAbort = q.stats().queriesOut
          ac.abort()
        }
      },
      ac.signal,
    )
    await expect(walk).rejects.toBeInstanceOf(AbortError)
    await sleep(200)
    expect(q.stats().queriesOut).toBe(atAbort)

    const ac2 = new AbortController()
    const look = q.lookup(randomBytes(20), { signal: ac2.signal })
    const sent = q.stats().queriesOut
    ac2.abort()
    await expect(look).rejects.toBeInstanceOf(AbortError)
    await sleep(200)
    expect(q.stats().queriesOut).toBe(sent)
  })

  it('50 concurrent lookups with a global concurrency of 3 all complete and never exceed it', async () => {
    const q = await querier({ concurrency: 3 })
    const log = recordSends(q.socket)
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const target = randomBytes(20)
        return i % 2
          ? q.lookup(target).then(() => K)
          : q.walk(target, 'find_node', { target }, () => undefined)
      }),
    )
    for (const n of results) expect(n).toBeGreaterThanOrEqual(K)
    expect(log.length).toBeGreaterThan(50)
    expect(Math.max(...log.map((s) => s.inflightBefore))).toBe(2)
    expect(q.socket.inflight).toBe(0)
  })

  it('a background lookup keeps to backgroundConcurrency while foreground lookups run', async () => {
    const q = await querier({ bootstrap: false, concurrency: 8, backgroundConcurrency: 2 })
    for (const n of everyone) q.addNode(n)
    const log = recordSends(q.socket)
    // Ours to tell apart: the join sends find_node for our own id, the foreground get_peers.
    let bgInflight = 0
    const bgSends: { inflightBefore: number; othersBefore: number }[] = []
    const send = q.socket.query.bind(q.socket)
    q.socket.query = (peer, msg, cb): void => {
      const target = msg.a.target
      if (msg.q === 'find_node' && Buffer.isBuffer(target) && target.equals(q.id)) {
        bgSends.push({ inflightBefore: q.socket.inflight, othersBefore: q.socket.inflight - bgInflight })
        bgInflight++
        return send(peer, msg, (...a) => {
          bgInflight--
          cb?.(...a)
        })
      }
      send(peer, msg, cb)
    }
    const fg = Array.from({ length: 12 }, () => q.lookup(randomBytes(20)))
    const joined = await q.bootstrap()
    await Promise.all(fg)
    expect(joined).toBeGreaterThanOrEqual(K)
    expect(bgSends.length).toBeGreaterThan(0)
    for (const s of bgSends) expect(s.inflightBefore < 2 || s.othersBefore === 0).toBe(true)
    // The foreground lookups did use more than the background share.
    expect(Math.max(...log.map((s) => s.inflightBefore))).toBeGreaterThanOrEqual(2)
    expect(bgSends.some((s) => s.othersBefore > 0)).toBe(true)
  })

  it('a contact that times out leaves the routing table and the lookup still reaches the k closest', async () => {
    const q = await querier({ timeoutMs: 300 })
    const silent = dgram.createSocket('udp4')
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r))
    cleanup.push(() => new Promise((r) => silent.close(() => r())))
    const target = randomBytes(20)
    // The closest id there could be: the first contact the lookup asks.
    const deadId = Buffer.from(target)
    deadId[19] ^= 1
    q.addNode({ id: deadId, host: '127.0.0.1', port: silent.address().port })
    expect(q.closest(target, 1)[0]!.id).toEqual(deadId)
    const answered = new Set<string>()
    await q.walk(target, 'find_node', { target }, (r) => void answered.add((r.id as Buffer).toString('hex')))
    for (const id of trueClosest(target, q.id)) expect(answered).toContain(id)
    expect([...q.contacts()].some((c) => c.id.equals(deadId))).toBe(false)
  })
})
