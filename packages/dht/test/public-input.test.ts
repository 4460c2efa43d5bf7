// What a library user hands the public API: address objects of either shape, bad addresses, and
// Uint8Array ids (catalog, index and wire hand out Uint8Array, not Buffer). Issue 17.
import { afterEach, describe, expect, it } from 'vitest'
import { DhtNode } from '../src/node.js'
import { KrpcSocket } from '../src/krpc/socket.js'
import { UdpTransport } from '../src/transport/udp.js'
import { generateKeyPair } from '../src/adapter/ed25519.js'
import { InvalidArgumentError, QueryTimeoutError } from '../src/errors.js'
import type { KrpcMessage, QueryTarget } from '../src/krpc/types.js'

const nodes: DhtNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.destroy()))
})

async function pair(timeoutMs = 500): Promise<[DhtNode, DhtNode]> {
  const mk = (): DhtNode => {
    const n = new DhtNode({ bootstrap: false, rateLimit: false, timeoutMs })
    nodes.push(n)
    return n
  }
  const a = mk()
  const b = mk()
  await Promise.all([a.listen(0, '127.0.0.1'), b.listen(0, '127.0.0.1')])
  return [a, b]
}

const u8 = (fill: number, n = 20): Uint8Array => new Uint8Array(n).fill(fill)

describe('addresses given to the query methods', () => {
  it('pings the {address, port} that address() returns', async () => {
    const [a, b] = await pair()
    const pong = await a.ping(b.address()!)
    expect(pong.id.equals(b.id)).toBe(true)
    const found = await a.findNode(b.address()!, u8(1))
    expect(Array.isArray(found)).toBe(true)
  })

  it('fails bad addresses at once with InvalidArgumentError', async () => {
    const [a, b] = await pair(5_000)
    const port = b.address()!.port
    const bad: unknown[] = [
      { host: '', port },
      { address: '', port },
      { port },
      { host: null, port },
      { host: '127.0.0.1' },
      { host: '127.0.0.1', port: 0 },
      { host: '127.0.0.1', port: 70000 },
      { host: '127.0.0.1', port: 1.5 },
      null,
    ]
    const t0 = Date.now()
    for (const to of bad) {
      await expect(a.ping(to as { host: string; port: number })).rejects.toBeInstanceOf(InvalidArgumentError)
      await expect(a.sample(to as { host: string; port: number })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      )
    }
    // Well under the 5 s query timeout: nothing was sent or retried.
    expect(Date.now() - t0).toBeLessThan(1_000)
    expect(a.socket.stats.queriesOut).toBe(0)
  }, 10_000)

  it('bounds a query to a silent address by the timeout', async () => {
    const [a, b] = await pair(300)
    const port = b.address()!.port
    await b.destroy() // nothing listens there now
    const t0 = Date.now()
    await expect(a.ping({ host: '127.0.0.1', port })).rejects.toBeInstanceOf(QueryTimeoutError)
    expect(Date.now() - t0).toBeLessThan(2_000)
  })

  it('the socket itself fails a missing host rather than resolving it forever', async () => {
    const s = new KrpcSocket({ transport: new UdpTransport(), timeoutMs: 300 })
    await s.listen(0, '127.0.0.1')
    try {
      const err = await new Promise<Error | null>((resolve) =>
        s.query(
          { host: null, port: 6881 } as unknown as QueryTarget,
          { q: 'ping', a: {} },
          (e: Error | null, _r: KrpcMessage | null) => resolve(e),
        ),
      )
      expect(err).toBeInstanceOf(InvalidArgumentError)
    } finally {
      s.destroy()
    }
  }, 5_000)
})

describe('Uint8Array where the API takes bytes', () => {
  it('accepts Uint8Array infohashes, targets, ids and salts', async () => {
    const [a, b] = await pair()
    const to = b.address()!
    a.addNode({ id: b.id, host: '127.0.0.1', port: to.port })
    const ih = u8(7)
    b.storePeer(ih, { host: '127.0.0.1', port: 4000 })
    expect((await a.lookup(ih)).map((p) => p.port)).toContain(4000)
    expect(await a.announce(ih, 5000)).toBeGreaterThanOrEqual(0)
    await a.ping(to, { id: u8(9) })
    expect(await a.findNode(to, u8(3))).toBeInstanceOf(Array)
    await a.sample(to, u8(4))
    expect(a.closest(u8(5)).length).toBeGreaterThan(0)
    const kp = generateKeyPair()
    const salt = new Uint8Array(Buffer.from('s'))
    const put = await a.putPointer({ keyPair: kp, infoHash: u8(8), seq: 1, salt })
    expect(put.stored).toBeGreaterThan(0)
    const ptr = await a.getPointer(new Uint8Array(kp.publicKey), salt)
    expect(ptr?.infoHash.equals(Buffer.from(u8(8)))).toBe(true)
    const item = await a.get(new Uint8Array(put.target), { salt })
    expect(item?.seq).toBe(1)
    expect(a.hasItem(new Uint8Array(put.target))).toBe(false)
    expect(b.hasItem(new Uint8Array(put.target))).toBe(true)
    a.removeNode(new Uint8Array(b.id))
    expect(a.stats().routingTableSize).toBe(0)
    const n = new DhtNode({ bootstrap: false, nodeId: u8(2) as Buffer })
    nodes.push(n)
    expect(n.nodeIdHex).toBe('02'.repeat(20))
  })

  it('still rejects ids of the wrong length', async () => {
    const [a] = await pair()
    expect(() => a.announce(u8(1, 19))).toThrow(InvalidArgumentError)
    await expect(a.get(u8(1, 21))).rejects.toBeInstanceOf(InvalidArgumentError)
  })
})
