// Fuzz targets for bb_near (test-support/fuzz-harness.ts): the server's handler fed mutated member
// queries and noise as the DHT's dispatcher would hand them over (a dict `a` with a 20-byte id), and
// the reply decoder fed noise. Oracle: the handler answers 204, or a reply within the caps (only to
// a query whose MAC verifies, once); the decoder throws NearError or returns a value that round-trips.
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bdecode, bencode, type BDict, type IncomingQuery, type QueryHandler } from '@bbmesh/dht'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deriveCommunityKeys } from '../../src/community/derive.js'
import { NearError } from '../../src/errors.js'
import { decodeNearReply, encodeNearReply, nearMac, NEAR_METHOD } from '../../src/near/codec.js'
import { NearServer } from '../../src/near/server.js'
import { FUZZ_TEST_TIMEOUT, bencodeNoise, fuzz, mutated } from '../../../../test-support/fuzz-harness.js'

const corpus = join(dirname(fileURLToPath(import.meta.url)), 'corpus')
const key = deriveCommunityKeys(Buffer.alloc(32, 9)).nearMacKey
const stored = Array.from({ length: 120 }, (_, i) => Buffer.alloc(20, i))
const nodes = Array.from({ length: 12 }, (_, i) => ({
  id: Buffer.alloc(20, 200 - i),
  host: `10.0.0.${i + 1}`,
  port: 6881,
}))
let handler: QueryHandler | undefined
// The server's collaborator (the DHT node), not the thing under test: it records the handler.
const server = new NearServer({
  key,
  burst: 1e9,
  dht: {
    handle: (_m, h) => void (handler = h),
    unhandle: () => undefined,
    closest: (_t, n) => nodes.slice(0, n),
    storedInfohashes: () => stored,
  },
})
server.start()

const id = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b))
/** A member's query as `{ t, a }`, bencoded: what the fuzzer mutates. */
const valid = fc
  .record({ t: fc.uint8Array({ minLength: 1, maxLength: 4 }), id, target: id })
  .map(({ t, id: sender, target }) =>
    bencode({ t: Buffer.from(t), a: { id: sender, target, mac: nearMac(key, t, target, sender) } }),
  )

/** Well-formed queries a stranger can send: no MAC, a random one, or one made for other fields. */
const stranger = fc
  .record({
    t: fc.uint8Array({ minLength: 1, maxLength: 20 }),
    id,
    target: fc.oneof(
      id,
      fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b)),
    ),
    mac: fc.option(fc.uint8Array({ minLength: 0, maxLength: 40 }), { nil: undefined }),
  })
  .map(({ t, id: sender, target, mac }) =>
    bencode({ t: Buffer.from(t), a: { id: sender, target, ...(mac && { mac: Buffer.from(mac) }) } }),
  )

describe('fuzz bb_near', () => {
  it(
    'the handler: 204 for anything but a fresh valid member query, a capped reply for that',
    async () => {
      const report = await fuzz(corpus, {
        name: 'mesh-bb_near-handler',
        inputs: fc.oneof(valid, stranger, mutated(valid), bencodeNoise()),
        run: async (input) => {
          let m: unknown
          try {
            m = bdecode(input)
          } catch {
            return // not bencode: the socket drops it before any handler
          }
          const msg = m as { t?: unknown; a?: unknown }
          const a = msg.a as BDict | undefined
          if (!Buffer.isBuffer(msg.t) || typeof a !== 'object' || a === null || Array.isArray(a)) return
          if (!Buffer.isBuffer(a.id) || a.id.length !== 20) return // the socket answers 203 itself
          const q: IncomingQuery = {
            method: NEAR_METHOD,
            t: msg.t,
            args: a,
            senderId: a.id,
            from: { host: '10.9.9.9', port: 1 },
          }
          const rep = await handler!(q)
          if (rep !== null && 'e' in rep) return expect(rep.e).toEqual([204, 'Method Unknown'])
          expect(rep).not.toBeNull()
          const r = decodeNearReply(bdecode(bencode({ id: randomBytes(20), ...rep!.r })) as BDict)
          expect(r.nodes.length).toBeLessThanOrEqual(8)
          expect(r.infohashes.length).toBeLessThanOrEqual(50)
          // Only a MAC that verifies is answered.
          const target = a.target as Buffer
          expect(nearMac(key, msg.t, target, a.id).equals(a.mac as Buffer)).toBe(true)
        },
        async: true,
        expected: () => false,
      })
      expect(report.failed).toBe(false)
      // Both paths ran: valid member queries were answered, the rest refused.
      expect(server.counters.answered).toBeGreaterThan(0)
      expect(server.counters.rejected).toBeGreaterThan(0)
    },
    FUZZ_TEST_TIMEOUT,
  )

  it(
    'the reply decoder: NearError, or a value that round-trips',
    async () => {
      const replies = fc
        .record({
          n: fc.nat(8),
          k: fc.nat(50),
          num: fc.nat(),
        })
        .map(({ n, k, num }) =>
          bencode(encodeNearReply({ nodes: nodes.slice(0, n), infohashes: stored.slice(0, k), num })),
        )
      const report = await fuzz(corpus, {
        name: 'mesh-bb_near-reply',
        inputs: fc.oneof(replies, mutated(replies), bencodeNoise()),
        run: (input) => {
          let d: unknown
          try {
            d = bdecode(input)
          } catch {
            return
          }
          if (typeof d !== 'object' || d === null || Array.isArray(d) || Buffer.isBuffer(d)) return
          const r = decodeNearReply(d as BDict)
          const again = decodeNearReply(bdecode(bencode(encodeNearReply(r))) as BDict)
          expect(again).toEqual(r)
        },
        expected: (err) => err instanceof NearError,
      })
      expect(report.failed).toBe(false)
    },
    FUZZ_TEST_TIMEOUT,
  )
})
