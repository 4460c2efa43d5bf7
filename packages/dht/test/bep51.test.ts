import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { bdecode, bencode } from '../src/bencode.js'
import type { BDict } from '../src/bencode.js'
import { MAX_SAMPLES, MAX_REPLY_BYTES } from '../src/constants.js'
import { InvalidReplyError } from '../src/errors.js'
import { SampleCache, decodeSampleReply, encodeSampleReply } from '../src/sample.js'
import type { SampleResult } from '../src/sample.js'
import type { SampleObservation } from '../src/node.js'
import { createDhtTestnet } from '../src/testnet.js'
import type { DhtTestnet } from '../src/testnet.js'
import { rawSocket } from './helpers.js'

describe('BEP 51 codec', () => {
  it('round-trips a reply through bencode', () => {
    const res: SampleResult = {
      id: randomBytes(20),
      interval: 60,
      num: 1234,
      samples: [randomBytes(20), randomBytes(20), randomBytes(20)],
      nodes: [{ id: randomBytes(20), host: '10.1.2.3', port: 6881 }],
    }
    const back = decodeSampleReply(bdecode(bencode(encodeSampleReply(res))) as BDict)
    expect(back).toEqual(res)
  })

  it('rejects bad fields', () => {
    const ok = encodeSampleReply({
      id: randomBytes(20),
      interval: 1,
      num: 0,
      samples: [],
      nodes: [],
    }) as BDict
    const bad = (patch: Record<string, unknown>): BDict =>
      bdecode(bencode({ ...ok, ...patch } as BDict)) as BDict
    expect(() => decodeSampleReply(bad({ samples: randomBytes(21) }))).toThrow(InvalidReplyError)
    expect(() => decodeSampleReply(bad({ interval: 99999 }))).toThrow(InvalidReplyError)
    expect(() => decodeSampleReply(bad({ num: -1 }))).toThrow(InvalidReplyError)
    expect(() => decodeSampleReply(bad({ id: randomBytes(3) }))).toThrow(InvalidReplyError)
    expect(() => decodeSampleReply(bad({ nodes: randomBytes(27) }))).toThrow(InvalidReplyError)
  })
})

describe('BEP 51 sample cache', () => {
  it('keeps one sample per interval and recomputes after it', () => {
    let now = 0
    let source = Array.from({ length: 100 }, () => randomBytes(20))
    const cache = new SampleCache(() => [...source], { intervalS: 10, now: () => now })
    const s1 = cache.current()
    expect(s1.num).toBe(100)
    expect(s1.samples.length).toBe(MAX_SAMPLES * 20)
    source = source.slice(0, 5)
    now = 9_999
    expect(cache.current()).toBe(s1)
    now = 10_000
    const s2 = cache.current()
    expect(s2.num).toBe(5)
    expect(s2.samples.length).toBe(100)
  })
})

let net: DhtTestnet | null = null
afterEach(async () => {
  await net?.destroy()
  net = null
})

describe('BEP 51 sample_infohashes over UDP', () => {
  it('serves stored infohashes with interval, num and nodes; the client decodes and observes', async () => {
    net = await createDhtTestnet(6, { sampleIntervalS: 120 })
    const server = net.nodes[0]!
    const to = { host: '127.0.0.1', port: server.address()!.port }
    const raw = await rawSocket()
    const stored = new Set<string>()
    try {
      for (let i = 0; i < 60; i++) {
        const ih = randomBytes(20)
        const gp = await raw.request(
          { t: 'g', y: 'q', q: 'get_peers', a: { id: randomBytes(20), info_hash: ih } },
          to,
        )
        const token = (gp.r as BDict).token as Buffer
        await raw.request(
          {
            t: 'a',
            y: 'q',
            q: 'announce_peer',
            a: { id: randomBytes(20), info_hash: ih, port: 6881, token },
          },
          to,
        )
        stored.add(ih.toString('hex'))
      }
    } finally {
      await raw.close()
    }
    const seen: SampleObservation[] = []
    const client = net.nodes[3]!
    client.on('sample', (o) => seen.push(o))
    const res = await client.sample(to)
    expect(res.num).toBe(60)
    expect(res.interval).toBe(120)
    expect(res.samples.length).toBe(MAX_SAMPLES)
    for (const s of res.samples) expect(stored.has(s.toString('hex'))).toBe(true)
    expect(res.nodes.length).toBeGreaterThan(0)
    expect(res.id.equals(server.id)).toBe(true)
    expect(bencode(encodeSampleReply(res)).length).toBeLessThan(MAX_REPLY_BYTES)
    // Within the interval the same sample comes back.
    const again = await client.sample(to)
    expect(again.samples.map((s) => s.toString('hex'))).toEqual(res.samples.map((s) => s.toString('hex')))
    expect(seen.length).toBe(2)
    expect(seen[0]!.from.port).toBe(to.port)
  })
})
