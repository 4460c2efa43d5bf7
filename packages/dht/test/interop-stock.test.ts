// Interop over loopback UDP with stock, unmodified bittorrent-dht 11 nodes, both directions.
// Stock gets use cache:false: bittorrent-dht otherwise answers from items it stores for others,
// and with our K=8 a put reaches fewer nodes than its K=20 does.
import { randomBytes } from 'node:crypto'
import DHT from 'bittorrent-dht'
import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair, sign, verify } from '../src/adapter/ed25519.js'
import { mutableTarget } from '../src/bep44.js'
import { ERR_CAS_MISMATCH } from '../src/constants.js'
import type { KrpcRemoteError } from '../src/errors.js'
import { DhtNode } from '../src/node.js'

type Stock = InstanceType<typeof DHT>
const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()))
})

async function stockNode(bootstrap: string[] | false): Promise<Stock> {
  const d = new DHT({ bootstrap, verify, host: false })
  cleanup.push(() => new Promise((r) => d.destroy(() => r())))
  await new Promise<void>((resolve) => {
    let n = 0
    const done = (): void => void (++n === 2 && resolve())
    d.once('ready', done)
    d.listen(0, '127.0.0.1', done)
  })
  return d
}

async function ourNode(bootstrap: string[]): Promise<DhtNode> {
  // Many nodes share 127.0.0.1 here, so the per-IP limit is off.
  const n = new DhtNode({ bootstrap, rateLimit: false, outboundQueriesPerSecond: false })
  cleanup.push(() => n.destroy())
  await n.listen(0, '127.0.0.1')
  if (bootstrap.length) await n.bootstrap()
  return n
}

const hostPort = (d: Stock | DhtNode): string =>
  d instanceof DhtNode
    ? `127.0.0.1:${d.address()!.port}`
    : `127.0.0.1:${(d as unknown as { address(): { port: number } }).address().port}`

function stockLookup(d: Stock, ih: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const found: string[] = []
    const onPeer = (p: { host: string; port: number }, h: Buffer): void => {
      if (h.equals(ih)) found.push(`${p.host}:${p.port}`)
    }
    d.on('peer', onPeer)
    d.lookup(ih, (err) => {
      d.off('peer', onPeer)
      if (err) reject(err)
      else resolve(found)
    })
  })
}
const cb2p = <T>(fn: (cb: (err: Error | null, v: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))))

describe('interop with stock bittorrent-dht (stock network, one of ours)', () => {
  it('lookup/announce and immutable/mutable/salt put-get both directions', async () => {
    const first = await stockNode(false)
    const stocks = [first]
    for (let i = 0; i < 9; i++) stocks.push(await stockNode([hostPort(first)]))
    const ours = await ourNode([hostPort(first)])
    expect(ours.stats().routingTableSize).toBeGreaterThan(3)
    const s = stocks[4]!

    // Their announce, our lookup.
    const ih1 = randomBytes(20)
    await cb2p<number>((cb) => s.announce(ih1, 7777, cb as never))
    expect(await ours.lookup(ih1)).toContainEqual({ host: '127.0.0.1', port: 7777 })
    // Our announce, their lookup.
    const ih2 = randomBytes(20)
    expect(await ours.announce(ih2, 8888)).toBeGreaterThan(0)
    expect(await stockLookup(stocks[7]!, ih2)).toContain('127.0.0.1:8888')

    // Their immutable put, our get; ours, theirs.
    const t1 = await cb2p<Buffer>((cb) => s.put({ v: Buffer.from('from stock') }, cb as never))
    expect((await ours.get(t1))!.v.toString()).toBe('from stock')
    const { target: t2 } = await ours.putImmutable('from bbmesh')
    const v2 = await cb2p<{ v: Buffer } | null>((cb) => stocks[2]!.get(t2, { cache: false }, cb))
    expect(v2!.v.toString()).toBe('from bbmesh')

    // Mutable with salt: their put, our get; our put (cas), their get.
    const kp = generateKeyPair()
    const salt = Buffer.from('salty')
    const signer = (buf: Buffer): Buffer => sign(Buffer.from(buf), kp.secretKey)
    await cb2p((cb) =>
      s.put({ k: kp.publicKey, v: Buffer.from('m1'), seq: 1, salt, sign: signer }, cb as never),
    )
    const target = mutableTarget(kp.publicKey, salt)
    const got = await ours.get(target, { salt })
    expect(got!.v.toString()).toBe('m1')
    expect(got!.seq).toBe(1)
    await ours.putMutable({ keyPair: kp, v: 'm2', seq: 2, salt, cas: 1 })
    const theirs = await cb2p<{ v: Buffer; seq: number } | null>((cb) =>
      stocks[8]!.get(target, { salt, cache: false }, cb),
    )
    expect(theirs!.v.toString()).toBe('m2')
    expect(theirs!.seq).toBe(2)
    const cas = await ours.putMutable({ keyPair: kp, v: 'm3', seq: 3, salt, cas: 1 }).catch((e: unknown) => e)
    expect((cas as KrpcRemoteError).krpcCode).toBe(ERR_CAS_MISMATCH)
  })
})

describe('interop with stock bittorrent-dht (our network, one stock node)', () => {
  it('lookup/announce and immutable/mutable/salt/cas put-get both directions', async () => {
    const first = await ourNode([])
    const ours = [first]
    for (let i = 0; i < 9; i++) ours.push(await ourNode([hostPort(first)]))
    const s = await stockNode([hostPort(first)])
    const o = ours[6]!

    const ih1 = randomBytes(20)
    await cb2p<number>((cb) => s.announce(ih1, 7001, cb as never))
    expect(await o.lookup(ih1)).toContainEqual({ host: '127.0.0.1', port: 7001 })
    const ih2 = randomBytes(20)
    await o.announce(ih2, 7002)
    expect(await stockLookup(s, ih2)).toContain('127.0.0.1:7002')

    const t1 = await cb2p<Buffer>((cb) => s.put({ v: Buffer.from('stock imm') }, cb as never))
    expect((await o.get(t1))!.v.toString()).toBe('stock imm')
    const { target: t2 } = await o.putImmutable('ours imm')
    expect((await cb2p<{ v: Buffer } | null>((cb) => s.get(t2, { cache: false }, cb)))!.v.toString()).toBe(
      'ours imm',
    )

    const kp = generateKeyPair()
    const salt = Buffer.from('s2')
    const signer = (buf: Buffer): Buffer => sign(Buffer.from(buf), kp.secretKey)
    const target = mutableTarget(kp.publicKey, salt)
    await cb2p((cb) =>
      s.put({ k: kp.publicKey, v: Buffer.from('a'), seq: 10, salt, sign: signer }, cb as never),
    )
    expect((await o.get(target, { salt }))!.seq).toBe(10)
    await o.putMutable({ keyPair: kp, v: 'b', seq: 11, salt, cas: 10 })
    const theirs = await cb2p<{ v: Buffer; seq: number } | null>((cb) =>
      s.get(target, { salt, cache: false }, cb),
    )
    expect(theirs!.v.toString()).toBe('b')
    // Their cas mismatch is refused by our nodes with 301.
    const err = await cb2p((cb) =>
      s.put({ k: kp.publicKey, v: Buffer.from('c'), seq: 12, cas: 3, salt, sign: signer }, cb as never),
    ).catch((e: unknown) => e)
    expect((err as { code: number }).code).toBe(ERR_CAS_MISMATCH)
    // Unsalted mutable: stock put, our get.
    await cb2p((cb) => s.put({ k: kp.publicKey, v: Buffer.from('plain'), seq: 1, sign: signer }, cb as never))
    expect((await o.get(mutableTarget(kp.publicKey)))!.v.toString()).toBe('plain')
  })
})

describe('stock replies larger than one MTU', () => {
  it('accepts a find_node reply carrying a whole stock routing table and keeps the closest nodes', async () => {
    const stock = await stockNode(false)
    // Stock answers find_node with every contact it knows (k-bucket closest() without a limit).
    // Loopback-only fake contacts: the test never sends to them.
    for (let i = 0; i < 400; i++) stock.addNode({ id: randomBytes(20), host: '127.0.0.1', port: 20_000 + i })
    const known = (stock.toJSON() as { nodes: unknown[] }).nodes.length
    expect(known).toBeGreaterThan(60) // 26 bytes each: the reply is past 1500 bytes
    const ours = await ourNode([])
    const [host, port] = hostPort(stock).split(':')
    const nodes = await ours.findNode({ host: host!, port: Number(port) }, randomBytes(20))
    expect(nodes.length).toBeGreaterThan(0)
    expect(nodes.length).toBeLessThanOrEqual(16)
    expect(ours.stats().dropped.oversized).toBe(0)
  })
})
