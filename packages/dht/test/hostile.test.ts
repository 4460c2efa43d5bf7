// Hostile input: a flood of random and malformed datagrams from a raw socket.
import dgram from 'node:dgram'
import { randomBytes } from 'node:crypto'
import { setImmediate as tick } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { bencode } from '../src/bencode.js'
import type { BDict, BInput } from '../src/bencode.js'
import { mutableTarget } from '../src/bep44.js'
import { DhtNode } from '../src/node.js'
import { seededRandom } from '../src/rng.js'
import { createDhtTestnet } from '../src/testnet.js'
import { rawSocket } from './helpers.js'

const TOTAL = Number(process.env.DHT_HOSTILE_COUNT ?? 100_000)

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()))
})

function makeDatagram(
  i: number,
  rnd: ReturnType<typeof seededRandom>,
  token: Buffer,
  forged: Buffer[],
): Buffer {
  const id = rnd.bytes(20)
  const pick = i % 10
  const valid = (m: BInput): Buffer => bencode(m)
  switch (pick) {
    case 0: // random bytes
      return rnd.bytes(1 + Math.floor(rnd.next() * 300))
    case 1: {
      // truncated bencode
      const b = valid({ t: 'xx', y: 'q', q: 'get_peers', a: { id, info_hash: rnd.bytes(20) } })
      return b.subarray(0, Math.floor(rnd.next() * (b.length - 1)))
    }
    case 2: // wrong types
      return valid(
        [
          { t: 1, y: 'q', q: 'ping', a: { id } },
          { t: 'ab', y: 'q', q: { x: 1 }, a: { id } },
          { t: 'ab', y: 'q', q: 'ping', a: { id: 5 } },
          { t: 'ab', y: 'q', q: 'find_node', a: { id, target: 'short' } },
          { t: 'ab', y: 'q', q: 'get_peers', a: { id, info_hash: [1, 2] } },
          { t: 'ab', y: 'q', q: 'announce_peer', a: { id, info_hash: rnd.bytes(20), port: -5, token } },
          { t: 'ab', y: 'r', r: { id, nodes: rnd.bytes(27) } },
          { t: 'ab', y: 'z' },
          [1, 2, 3],
        ][i % 9] as BInput,
      )
    case 3: // oversized
      return Buffer.concat([valid({ t: 'ab', y: 'q', q: 'ping', a: { id, pad: rnd.bytes(1600) } })])
    case 4: // unknown method
      return valid({ t: 'ab', y: 'q', q: `m${i % 50}`, a: { id } })
    case 5: {
      // forged signature, valid token
      const k = rnd.bytes(32)
      if (forged.length < 1000) forged.push(mutableTarget(k))
      return valid({ t: 'ab', y: 'q', q: 'put', a: { id, token, v: 'evil', k, seq: 1, sig: rnd.bytes(64) } })
    }
    case 6: // deep nesting
      return Buffer.from('d1:a' + 'l'.repeat(200) + 'e'.repeat(200) + 'e')
    case 7: // bad token announce and put
      return valid({
        t: 'ab',
        y: 'q',
        q: i % 2 ? 'put' : 'announce_peer',
        a: { id, info_hash: id, port: 1, token: rnd.bytes(20), v: 'x' },
      })
    case 8: // unsolicited responses
      return valid({ t: rnd.bytes(2), y: 'r', r: { id, nodes: rnd.bytes(26 * 8) } })
    default: // huge length prefix
      return Buffer.from(`d1:t999999:${'x'.repeat(20)}e`)
  }
}

describe('hostile datagrams', () => {
  it(`survives ${TOTAL} random/malformed datagrams, counts drops, stores nothing forged`, async () => {
    const node = new DhtNode({ bootstrap: false, rateLimit: false })
    cleanup.push(() => node.destroy())
    const addr = await node.listen(0, '127.0.0.1')
    const to = { host: '127.0.0.1', port: addr.port }
    const probe = await rawSocket()
    cleanup.push(() => probe.close())
    const gp = await probe.request(
      { t: 'g', y: 'q', q: 'get', a: { id: randomBytes(20), target: randomBytes(20) } },
      to,
    )
    const token = (gp.r as BDict).token as Buffer

    const flood = dgram.createSocket('udp4')
    await new Promise<void>((r) => flood.bind(0, '127.0.0.1', r))
    cleanup.push(() => new Promise((r) => flood.close(() => r())))
    flood.on('message', () => {})
    const rnd = seededRandom(42)
    const forged: Buffer[] = []
    global.gc?.()
    const rssBefore = process.memoryUsage().rss
    for (let i = 0; i < TOTAL; i++) {
      const buf = makeDatagram(i, rnd, token, forged)
      // Every 100 datagrams wait until they left and the node had a turn, so the kernel's
      // receive buffer is not what drops them.
      if (i % 100 === 99) {
        await new Promise<void>((r) => flood.send(buf, to.port, to.host, () => r()))
        for (let spin = 0; spin < 20 && node.stats().datagramsIn < i - 300; spin++) await tick()
      } else flood.send(buf, to.port, to.host)
    }
    await new Promise((r) => setTimeout(r, 100))
    const rssAfter = process.memoryUsage().rss

    const pong = await probe.request({ t: 'p', y: 'q', q: 'ping', a: { id: randomBytes(20) } }, to)
    expect((pong.r as BDict).id).toEqual(node.id)
    const s = node.stats()
    expect(s.datagramsIn).toBeGreaterThan(TOTAL * 0.5)
    expect(s.dropped.malformed).toBeGreaterThan(TOTAL * 0.2)
    expect(s.dropped.oversized).toBeGreaterThan(TOTAL * 0.05)
    expect(s.dropped.unexpectedResponse).toBeGreaterThan(TOTAL * 0.05)
    expect(s.unknownMethods).toBeGreaterThan(TOTAL * 0.05)
    expect(s.storedItems).toBe(0)
    for (const t of forged) expect(node.hasItem(t)).toBe(false)
    // Unsolicited responses never reach the routing table.
    expect(s.routingTableSize).toBeLessThan(200)
    expect(rssAfter - rssBefore).toBeLessThan(150 * 1024 * 1024)
    console.log(
      `hostile: sent=${TOTAL} received=${s.datagramsIn} malformed=${s.dropped.malformed} oversized=${s.dropped.oversized} ` +
        `unexpectedResponse=${s.dropped.unexpectedResponse} unknownMethods=${s.unknownMethods} ` +
        `rssDeltaMB=${((rssAfter - rssBefore) / 1048576).toFixed(1)}`,
    )
  })

  it('per-IP rate limit drops a query flood from one address and counts it', async () => {
    const node = new DhtNode({ bootstrap: false, rateLimit: { perIpPerSecond: 20, burst: 40 } })
    cleanup.push(() => node.destroy())
    const addr = await node.listen(0, '127.0.0.1')
    const flood = dgram.createSocket('udp4')
    await new Promise<void>((r) => flood.bind(0, '127.0.0.1', r))
    cleanup.push(() => new Promise((r) => flood.close(() => r())))
    let replies = 0
    flood.on('message', () => replies++)
    const ping = bencode({ t: 'aa', y: 'q', q: 'ping', a: { id: randomBytes(20) } })
    const t0 = Date.now()
    for (let i = 0; i < 400; i++) {
      flood.send(ping, addr.port, '127.0.0.1')
      if (i % 50 === 49)
        for (let spin = 0; spin < 20 && node.stats().datagramsIn < i - 20; spin++) await tick()
    }
    await new Promise((r) => setTimeout(r, 100))
    const s = node.stats()
    // Everything that arrived was either answered (within burst + refill) or counted as limited.
    const allowed = 40 + Math.ceil(((Date.now() - t0) / 1000) * 20)
    expect(s.queriesIn).toBeLessThanOrEqual(allowed)
    expect(s.queriesIn + s.dropped.rateLimited).toBe(s.datagramsIn)
    expect(s.dropped.rateLimited).toBeGreaterThan(200)
    expect(replies).toBeLessThanOrEqual(s.queriesIn)
    expect(replies).toBeGreaterThan(0)
  })
})

describe('garbage from one address is dropped before it is decoded', () => {
  it('spends a per-IP datagram budget (twice the query limit) ahead of the bencode parser', async () => {
    const node = new DhtNode({ bootstrap: false, rateLimit: { perIpPerSecond: 20, burst: 40 } })
    cleanup.push(() => node.destroy())
    const addr = await node.listen(0, '127.0.0.1')
    const flood = dgram.createSocket('udp4')
    await new Promise<void>((r) => flood.bind(0, '127.0.0.1', r))
    cleanup.push(() => new Promise((r) => flood.close(() => r())))
    const t0 = Date.now()
    for (let i = 0; i < 400; i++) {
      flood.send(randomBytes(40 + (i % 200)), addr.port, '127.0.0.1')
      if (i % 50 === 49)
        for (let spin = 0; spin < 20 && node.stats().datagramsIn < i - 20; spin++) await tick()
    }
    await new Promise((r) => setTimeout(r, 100))
    const s = node.stats()
    // Only the budget's worth reached the decoder (and was found malformed); the rest cost a lookup.
    const budget = 80 + Math.ceil(((Date.now() - t0) / 1000) * 40)
    expect(s.dropped.malformed).toBeLessThanOrEqual(budget)
    expect(s.dropped.malformed + s.dropped.rateLimited).toBe(s.datagramsIn)
    expect(s.dropped.rateLimited).toBeGreaterThan(200)
    // Another address still gets its ping answered.
    const other = new DhtNode({ bootstrap: false })
    cleanup.push(() => other.destroy())
    await other.listen(0, '127.0.0.2')
    await expect(other.ping({ host: '127.0.0.1', port: addr.port })).resolves.toBeDefined()
  })
})

describe('destroy releases resources', () => {
  const count = (kind: string): number => process.getActiveResourcesInfo().filter((r) => r === kind).length

  it('leaves no UDP socket or timer behind', async () => {
    await new Promise((r) => setTimeout(r, 20))
    const udp0 = count('UDPWrap')
    const timers0 = count('Timeout')
    const net = await createDhtTestnet(8, { sampleIntervalS: 1 })
    await net.nodes[3]!.lookup(randomBytes(20))
    await net.nodes[2]!.putImmutable('x')
    // An unanswered query keeps a timeout timer armed until destroy.
    void net.nodes[1]!.ping({ host: '127.0.0.1', port: 9 }).catch(() => {})
    expect(count('UDPWrap')).toBe(udp0 + 8)
    expect(count('Timeout')).toBeGreaterThan(timers0)
    await net.destroy()
    await new Promise((r) => setTimeout(r, 20))
    expect(count('UDPWrap')).toBe(udp0)
    expect(count('Timeout')).toBeLessThanOrEqual(timers0)
  })
})
