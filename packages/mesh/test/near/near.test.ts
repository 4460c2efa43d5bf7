// bb_near over real loopback UDP: a member's MACed query is answered with its K closest nodes and the
// stored infohashes nearest the target (capped); every query that is not a fresh, valid member query
// (no MAC, a wrong one, one replayed under another tid or target, the same datagram again, a stock
// bittorrent-dht node asking) gets byte for byte the reply of a node that has no such method; and a
// member over its budget is dropped.
import { randomBytes } from 'node:crypto'
import type { BDict, DhtNode } from '@bbmesh/dht'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deriveCommunityKeys } from '../../src/community/derive.js'
import { nearMac, NEAR_MAX_INFOHASHES, NEAR_METHOD } from '../../src/near/codec.js'
import { queryNear } from '../../src/near/client.js'
import { NearServer } from '../../src/near/server.js'
import { createNet, type Net } from '../bus/net.js'
import { rawSocket, type RawSocket } from './raw-socket.js'

let net: Net
let asker: DhtNode, member: DhtNode, plain: DhtNode, tight: DhtNode
let server: NearServer, tightServer: NearServer
let raw: RawSocket
const keys = deriveCommunityKeys(randomBytes(32))
const stored = Array.from({ length: 200 }, () => randomBytes(20))
const port = (n: DhtNode): number => n.address()!.port

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 3 })
  asker = (await net.member()).dht
  member = (await net.member()).dht
  plain = (await net.member()).dht // a node without bb_near: the reference for "what a stranger sees"
  tight = (await net.member()).dht
  for (const ih of stored) member.storePeer(ih, { host: '127.0.0.1', port: 6881 })
  server = new NearServer({ key: keys.nearMacKey, dht: member, burst: 100 })
  server.start()
  tightServer = new NearServer({ key: keys.nearMacKey, dht: tight, burst: 2, perSecond: 0.001 })
  tightServer.start()
  raw = await rawSocket()
}, 60_000)
afterAll(async () => {
  server?.stop()
  tightServer?.stop()
  await raw?.close()
  await net?.destroy()
})

/** A bb_near query as a datagram: tid `t`, sender id `id`, and the MAC made for `macFor`. */
function datagram(t: Buffer, id: Buffer, target: Buffer, mac?: Buffer): { [k: string]: unknown } {
  return { t, y: 'q', q: NEAR_METHOD, a: { id, target, ...(mac && { mac }) } }
}

/** The reply of `n` and, to the same datagram, of the node without the method. */
async function both(n: DhtNode, msg: { [k: string]: unknown }): Promise<[BDict?, BDict?]> {
  const ours = await raw.request(msg as never, port(n))
  const stock = await raw.request(msg as never, port(plain))
  return [ours, stock]
}

const xorLess = (t: Buffer) => (a: Buffer, b: Buffer) => {
  for (let i = 0; i < 20; i++)
    if ((a[i]! ^ t[i]!) !== (b[i]! ^ t[i]!)) return (a[i]! ^ t[i]!) - (b[i]! ^ t[i]!)
  return 0
}

describe('bb_near (list-near-K)', { timeout: 30_000 }, () => {
  it('answers a member with its closest nodes and the 50 stored infohashes nearest the target', async () => {
    const target = randomBytes(20)
    const r = await queryNear(asker, { host: '127.0.0.1', port: port(member) }, target, keys.nearMacKey)
    expect(r.num).toBe(200)
    expect(r.nodes.length).toBeGreaterThan(0)
    expect(r.nodes.length).toBeLessThanOrEqual(8)
    expect(r.infohashes.length).toBe(NEAR_MAX_INFOHASHES)
    const want = [...stored].sort(xorLess(target)).slice(0, NEAR_MAX_INFOHASHES)
    expect(r.infohashes.map((b) => b.toString('hex'))).toEqual(want.map((b) => b.toString('hex')))
    expect(server.counters.answered).toBe(1)
  })

  it('answers no MAC, a wrong MAC, another key, and a MAC made for another target with a stock 204', async () => {
    const id = randomBytes(20)
    const target = randomBytes(20)
    const t = Buffer.from('n1')
    const other = deriveCommunityKeys(randomBytes(32)).nearMacKey
    const cases = [
      datagram(t, id, target),
      datagram(Buffer.from('n2'), id, target, randomBytes(32)),
      datagram(Buffer.from('n3'), id, target, nearMac(other, Buffer.from('n3'), target, id)),
      datagram(
        Buffer.from('n4'),
        id,
        target,
        nearMac(keys.nearMacKey, Buffer.from('n4'), randomBytes(20), id),
      ),
      datagram(
        Buffer.from('n5'),
        id,
        target,
        nearMac(keys.nearMacKey, Buffer.from('n5'), target, randomBytes(20)),
      ),
      datagram(Buffer.from('n6'), id, target, Buffer.alloc(3)),
    ]
    const before = server.counters.rejected
    for (const msg of cases) {
      const [ours, stock] = await both(member, msg)
      expect(stock?.y?.toString()).toBe('e')
      expect((stock!.e as [number, Buffer])[0]).toBe(204)
      expect(ours).toEqual(stock)
    }
    expect(server.counters.rejected - before).toBe(cases.length)
  })

  it('refuses a valid MAC replayed under another tid, and the same datagram sent twice', async () => {
    const id = randomBytes(20)
    const target = randomBytes(20)
    const t1 = Buffer.from('r1')
    const mac = nearMac(keys.nearMacKey, t1, target, id)
    const first = await raw.request(datagram(t1, id, target, mac) as never, port(member))
    expect(first?.y?.toString()).toBe('r')
    const [underOtherTid, stock] = await both(member, datagram(Buffer.from('r2'), id, target, mac))
    expect(underOtherTid).toEqual(stock)
    const [again, stockAgain] = await both(member, datagram(t1, id, target, mac))
    expect(again).toEqual(stockAgain)
    expect((again!.e as [number, Buffer])[0]).toBe(204)
  })

  it('answers a stock bittorrent-dht node asking bb_near with 204', async () => {
    const stock = net.stocks[1]!
    const err = await new Promise<(Error & { code?: unknown }) | null>((resolve) =>
      stock._rpc.query(
        { host: '127.0.0.1', port: port(member) },
        { q: NEAR_METHOD, a: { id: stock._rpc.id, target: randomBytes(20), mac: randomBytes(32) } },
        (e) => resolve(e),
      ),
    )
    expect(err?.code).toBe(204)
  })

  it('drops valid member queries past the per-source budget, without a reply', async () => {
    const id = randomBytes(20)
    const replies: (BDict | undefined)[] = []
    for (const t of ['b1', 'b2', 'b3'].map((s) => Buffer.from(s))) {
      const target = randomBytes(20)
      const msg = datagram(t, id, target, nearMac(keys.nearMacKey, t, target, id))
      replies.push(await raw.request(msg as never, port(tight), 500))
    }
    expect(replies.map((r) => r?.y?.toString())).toEqual(['r', 'r', undefined])
    expect(tightServer.counters).toMatchObject({ answered: 2, rateLimited: 1 })
  })

  it('stop() unregisters the method: the node answers 204 itself', async () => {
    const s = new NearServer({ key: keys.nearMacKey, dht: plain })
    s.start()
    s.start()
    s.stop()
    s.stop()
    const id = randomBytes(20)
    const target = randomBytes(20)
    const t = Buffer.from('s1')
    const r = await raw.request(
      datagram(t, id, target, nearMac(keys.nearMacKey, t, target, id)) as never,
      port(plain),
    )
    expect((r!.e as [number, Buffer])[0]).toBe(204)
  })
})
