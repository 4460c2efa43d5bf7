import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { DhtNode } from '../src/node.js'
import { createDhtTestnet } from '../src/testnet.js'
import type { DhtTestnet } from '../src/testnet.js'
import { ERR_METHOD_UNKNOWN, ERR_PROTOCOL, ERR_SERVER, K } from '../src/constants.js'
import { AbortError, KrpcRemoteError } from '../src/errors.js'
import { decodeNodes } from '../src/compact.js'
import type { AnnounceObservation, GetPeersObservation, QueryReply } from '../src/handlers/types.js'
import { rawSocket } from './helpers.js'

let net: DhtTestnet | null = null
afterEach(async () => {
  await net?.destroy()
  net = null
})

const addr = (n: DhtNode): { host: string; port: number } => ({ host: '127.0.0.1', port: n.address()!.port })

describe('DhtNode over loopback UDP (BEP 5)', () => {
  it('answers ping and find_node, and fills routing tables by bootstrapping', async () => {
    net = await createDhtTestnet(20)
    const [a, b] = net.nodes as [DhtNode, DhtNode]
    const pong = await a.ping(addr(b))
    expect(pong.id.equals(b.id)).toBe(true)
    const found = await a.findNode(addr(b), randomBytes(20))
    expect(found.length).toBeGreaterThan(0)
    expect(found.length).toBeLessThanOrEqual(K)
    for (const n of net.nodes) expect(n.stats().routingTableSize).toBeGreaterThan(3)
  })

  it('uses a per-query id override', async () => {
    net = await createDhtTestnet(2)
    const [a, b] = net.nodes as [DhtNode, DhtNode]
    const fake = Buffer.alloc(20, 7)
    await a.ping(addr(b), { id: fake })
    const seen = [...b.contacts()].map((c) => c.id.toString('hex'))
    expect(seen).toContain(fake.toString('hex'))
  })

  it('answers unknown methods with 204 and malformed queries with 203', async () => {
    net = await createDhtTestnet(1)
    const n = net.nodes[0]!
    const raw = await rawSocket()
    try {
      const unknown = await raw.request(
        { t: 'aa', y: 'q', q: 'no_such_method', a: { id: randomBytes(20) } },
        addr(n),
      )
      expect(unknown.y!.toString()).toBe('e')
      expect((unknown.e as unknown[])[0]).toBe(ERR_METHOD_UNKNOWN)
      const noId = await raw.request({ t: 'ab', y: 'q', q: 'ping', a: {} }, addr(n))
      expect((noId.e as unknown[])[0]).toBe(ERR_PROTOCOL)
      expect(n.stats().unknownMethods).toBe(1)
    } finally {
      await raw.close()
    }
  })

  it('routes new methods through handle() and errors through KrpcRemoteError', async () => {
    net = await createDhtTestnet(2)
    const [a, b] = net.nodes as [DhtNode, DhtNode]
    b.handle('bb_echo', (q) => ({ r: { echo: q.args.msg as Buffer } }))
    const r = await a.query(addr(b), 'bb_echo', { msg: 'hi' })
    expect(r.echo!.toString()).toBe('hi')
    expect(r.id!.equals(b.id)).toBe(true)
    const err = await a.query(addr(b), 'bb_nope').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(KrpcRemoteError)
    expect((err as KrpcRemoteError).krpcCode).toBe(ERR_METHOD_UNKNOWN)
    expect(() => b.handle('ping', () => null)).toThrow()
  })

  it('seals arguments with the transaction id the query goes out under', async () => {
    net = await createDhtTestnet(2)
    const [a, b] = net.nodes as [DhtNode, DhtNode]
    b.handle('bb_tid', (q) => ({ r: { t: q.t, seen: q.args.tag as Buffer } }))
    const tags: Buffer[] = []
    const seal = (t: Buffer, args: Record<string, unknown>): { tag: Buffer } => {
      expect(Buffer.isBuffer(args.id) && args.id.equals(a.id)).toBe(true)
      tags.push(Buffer.concat([Buffer.from('tid:'), t]))
      return { tag: tags.at(-1)! }
    }
    const r1 = await a.query(addr(b), 'bb_tid', {}, { seal })
    const r2 = await a.query(addr(b), 'bb_tid', {}, { seal })
    // Each query is sealed once, with its own tid, and the server sees that very tid.
    expect(tags.length).toBe(2)
    expect(r1.seen!.equals(Buffer.concat([Buffer.from('tid:'), r1.t as Buffer]))).toBe(true)
    expect(r2.seen!.equals(Buffer.concat([Buffer.from('tid:'), r2.t as Buffer]))).toBe(true)
    expect((r1.t as Buffer).equals(r2.t as Buffer)).toBe(false)
  })

  it('lists the infohashes it stores', async () => {
    net = await createDhtTestnet(1)
    const n = net.nodes[0]!
    const ihs = [randomBytes(20), randomBytes(20)]
    for (const ih of ihs) n.storePeer(ih, { host: '127.0.0.1', port: 6881 })
    const got = n
      .storedInfohashes()
      .map((b) => b.toString('hex'))
      .sort()
    expect(got).toEqual(ihs.map((b) => b.toString('hex')).sort())
  })

  it('answers a handler reply of the wrong shape with 202 instead of an id-only reply', async () => {
    net = await createDhtTestnet(2)
    const [a, b] = net.nodes as [DhtNode, DhtNode]
    // What a JS caller can return by mistake: the fields without `r`, `r` not a dict, a bad `e`.
    const wrong: unknown[] = [
      { echo: 'hi' },
      { r: 'hi' },
      { r: { echo: 'hi' }, extra: 1 },
      { e: ['oops'] },
      7,
    ]
    wrong.forEach((rep, i) => b.handle(`bb_wrong${i}`, () => rep as QueryReply))
    for (let i = 0; i < wrong.length; i++) {
      const err = await a.query(addr(b), `bb_wrong${i}`).catch((e: unknown) => e)
      expect(err, JSON.stringify(wrong[i])).toBeInstanceOf(KrpcRemoteError)
      expect((err as KrpcRemoteError).krpcCode).toBe(ERR_SERVER)
    }
    expect(b.stats().handlerErrors).toBe(wrong.length)
    // The documented shapes still work, async too; our id replaces the handler's.
    b.handle('bb_async', async () => ({ r: { id: Buffer.alloc(20), ok: 1, gone: undefined } }))
    const r = await a.query(addr(b), 'bb_async')
    expect(r.id!.equals(b.id)).toBe(true)
    expect(Object.keys(r).sort()).toEqual(['id', 'ok'])
    b.handle('bb_error', () => ({ e: [ERR_PROTOCOL, 'nope'] }))
    const e = await a.query(addr(b), 'bb_error').catch((x: unknown) => x)
    expect((e as KrpcRemoteError).krpcCode).toBe(ERR_PROTOCOL)
    expect(b.stats().handlerErrors).toBe(wrong.length)
  })

  it('finds announced peers (implied_port) and emits observation events', async () => {
    net = await createDhtTestnet(20)
    const ih = randomBytes(20)
    const announces: AnnounceObservation[] = []
    const gets: GetPeersObservation[] = []
    for (const n of net.nodes) {
      n.on('announce_peer', (o) => announces.push(o))
      n.on('get_peers', (o) => gets.push(o))
    }
    const announcer = net.nodes[5]!
    const reached = await announcer.announce(ih, 0)
    expect(reached).toBeGreaterThan(0)
    expect(announces.length).toBe(reached)
    expect(announces[0]!.impliedPort).toBe(true)
    expect(announces.every((a) => a.tokenValid)).toBe(true)
    expect(announces[0]!.port).toBe(announcer.address()!.port)
    expect(announces[0]!.nodeId.equals(announcer.id)).toBe(true)
    const peers = await net.nodes[12]!.lookup(ih)
    expect(peers).toContainEqual({ host: '127.0.0.1', port: announcer.address()!.port })
    expect(gets.some((g) => g.infoHash.equals(ih) && g.nodeId.equals(net!.nodes[12]!.id))).toBe(true)
  })

  it('caps get_peers values so the reply fits one datagram', async () => {
    net = await createDhtTestnet(1)
    const n = net.nodes[0]!
    const ih = randomBytes(20)
    const raw = await rawSocket()
    try {
      const gp = await raw.request(
        { t: 'aa', y: 'q', q: 'get_peers', a: { id: randomBytes(20), info_hash: ih } },
        addr(n),
      )
      const token = (gp.r as { token: Buffer }).token
      const observed: AnnounceObservation[] = []
      n.on('announce_peer', (o) => observed.push(o))
      // 300 distinct announces from the same IP with distinct explicit ports.
      for (let p = 1; p <= 300; p++) {
        await raw.request(
          { t: 'ab', y: 'q', q: 'announce_peer', a: { id: randomBytes(20), info_hash: ih, port: p, token } },
          addr(n),
        )
      }
      const got = await raw.request(
        { t: 'ac', y: 'q', q: 'get_peers', a: { id: randomBytes(20), info_hash: ih } },
        addr(n),
      )
      const values = (got.r as { values: Buffer[] }).values
      expect(values.length).toBe(100)
      const bad = await raw.request(
        {
          t: 'ad',
          y: 'q',
          q: 'announce_peer',
          a: { id: randomBytes(20), info_hash: ih, port: 1, token: randomBytes(20) },
        },
        addr(n),
      )
      expect((bad.e as unknown[])[0]).toBe(ERR_PROTOCOL)
      // Observed (tokenValid false) but not stored.
      expect(observed.at(-1)).toMatchObject({ port: 1, tokenValid: false })
      expect(observed.filter((o) => o.tokenValid).length).toBe(300)
    } finally {
      await raw.close()
    }
  })

  it('exposes routing internals: contacts, buckets, closest', async () => {
    net = await createDhtTestnet(30)
    const n = net.nodes[0]!
    const contacts = [...n.contacts()]
    expect(contacts.length).toBe(n.stats().routingTableSize)
    expect(contacts[0]!.lastSeen).toBeGreaterThan(0)
    const buckets = n.buckets()
    expect(buckets.reduce((s, b) => s + b.size, 0)).toBe(contacts.length)
    const target = randomBytes(20)
    const closest = n.closest(target, 4)
    const xor = (id: Buffer): bigint =>
      BigInt('0x' + Buffer.from(id.map((x, i) => x ^ target[i]!)).toString('hex'))
    const sorted = [...contacts].sort((x, y) => (xor(x.id) < xor(y.id) ? -1 : 1)).slice(0, 4)
    expect(closest.map((c) => c.id.toString('hex'))).toEqual(sorted.map((c) => c.id.toString('hex')))
    const find = decodeNodes((await net.nodes[1]!.query(addr(n), 'find_node', { target })).nodes)
    expect(find.length).toBe(K)
  })

  it('lookup honours an AbortSignal', async () => {
    net = await createDhtTestnet(5)
    const ac = new AbortController()
    const pending = net.nodes[1]!.lookup(randomBytes(20), { signal: ac.signal })
    ac.abort()
    await expect(pending).rejects.toBeInstanceOf(AbortError)
    await expect(net.nodes[2]!.lookup(randomBytes(20), { signal: ac.signal })).rejects.toBeInstanceOf(
      AbortError,
    )
  })

  it('listen() and destroy() are idempotent and destroy fails pending work', async () => {
    const n = new DhtNode({ bootstrap: false })
    const [a1, a2] = await Promise.all([n.listen(0, '127.0.0.1'), n.listen(0, '127.0.0.1')])
    expect(a1).toBe(a2)
    const pending = n.ping({ host: '127.0.0.1', port: 9 }).catch((e: unknown) => e)
    await Promise.all([n.destroy(), n.destroy()])
    expect(await pending).toBeInstanceOf(Error)
    await n.destroy()
  })
})
