// Fuzz targets of @bbmesh/dht (test-support/fuzz-harness.ts): the bencode decoder, and the whole inbound path
// (KRPC parser, dispatcher, every handler, a custom method) of a DhtNode fed datagrams in memory and
// over a real UDP socket on 127.0.0.1. Budget: BBMESH_FUZZ_RUNS per target (`pnpm fuzz`: 10^6).
import { createSocket } from 'node:dgram'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BencodeError, DhtNode, MemoryNetwork, bdecode, bencode, type BValue } from '../../src/index.js'
import { FUZZ_TEST_TIMEOUT, bencodeNoise, fuzz, mutated } from '../../../../test-support/fuzz-harness.js'
import { krpcDatagram, tokenBox, validWrites } from './inputs.js'

const corpus = join(dirname(fileURLToPath(import.meta.url)), 'corpus')
const datagrams = fc.oneof(
  krpcDatagram,
  mutated(krpcDatagram),
  validWrites,
  mutated(validWrites),
  bencodeNoise(),
  fc.uint8Array({ maxLength: 1500 }),
)

/** Asks the node for a write token (get_peers) so validWrites reach the deep parts of put/announce. */
async function fetchToken(send: (b: Buffer) => void, replies: Buffer[]): Promise<void> {
  const n = replies.length
  const id = Buffer.alloc(20, 3)
  send(bencode({ t: 'tk', y: 'q', q: 'get_peers', a: { id, info_hash: Buffer.alloc(20, 1) } }))
  for (let i = 0; i < 500 && replies.length === n; i++) await new Promise((r) => setTimeout(r, 10))
  const r = (bdecode(replies.at(-1)!) as { r?: { token?: Buffer } }).r
  if (!r?.token) throw new Error('no token in a get_peers reply')
  tokenBox.token = r.token
}

describe('fuzz @bbmesh/dht', () => {
  it(
    'bencode: decodes or throws BencodeError; what it accepts round-trips at its own length',
    async () => {
      await fuzz(corpus, {
        name: 'dht-bencode',
        inputs: fc.oneof(bencodeNoise(), mutated(krpcDatagram), fc.uint8Array({ maxLength: 64 })),
        run: (input) => {
          const value = bdecode(Buffer.from(input))
          // Whatever it accepts survives a round trip (keys may arrive unsorted: that is allowed).
          const again = bencode(value as BValue)
          if (!bencode(bdecode(again)).equals(again)) throw new Error('round trip changed the value')
          // Except for key order, the decoder is strict: same length means the bytes were canonical.
          if (again.length !== input.length) throw new Error('accepted a non-canonical encoding')
        },
        expected: (err) => err instanceof BencodeError,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )

  describe('a DhtNode fed datagrams', () => {
    const network = new MemoryNetwork()
    const node = new DhtNode({ bootstrap: false, transport: network.createTransport(), rateLimit: false })
    const attacker = network.createTransport()
    let to = { host: '', port: 0 }
    beforeAll(async () => {
      node.handle('bb_custom', (q) => ({ r: { echo: q.args['id'] ?? Buffer.alloc(0) } }))
      const a = await node.listen(0, '0.0.0.0')
      to = { host: a.address, port: a.port }
      await attacker.bind(0, '0.0.0.0')
      const replies: Buffer[] = []
      attacker.onMessage((b) => void replies.push(b))
      await fetchToken((b) => attacker.send(b, to), replies)
    })
    afterAll(async () => {
      await node.destroy()
      attacker.close()
    })
    const settle = () => new Promise((r) => setImmediate(r)).then(() => new Promise((r) => setImmediate(r)))

    it(
      'every handler (in memory): no handler error, no uncaught exception, still answers a ping',
      async () => {
        await fuzz(corpus, {
          name: 'dht-krpc-memory',
          inputs: datagrams,
          run: async (input) => {
            const before = node.stats().handlerErrors
            attacker.send(Buffer.from(input), to)
            await settle()
            if (node.stats().handlerErrors > before) throw new Error('a handler threw (202 Server Error)')
          },
          expected: () => false,
          async: true,
        })
        // The token and signatures let the write paths get as far as storing.
        expect(node.stats().storedItems).toBeGreaterThan(0)
        expect(node.stats().storedInfohashes).toBeGreaterThan(0)
        const probe = new DhtNode({
          bootstrap: false,
          transport: network.createTransport(),
          rateLimit: false,
        })
        await probe.listen(0, '0.0.0.0')
        try {
          await expect(probe.ping(to)).resolves.toBeDefined()
        } finally {
          await probe.destroy()
        }
      },
      FUZZ_TEST_TIMEOUT,
    )
  })

  it(
    'over UDP on 127.0.0.1: the same inputs, then a ping is still answered',
    async () => {
      const node = new DhtNode({ bootstrap: false, rateLimit: false })
      const sock = createSocket('udp4')
      try {
        const { port } = await node.listen(0, '127.0.0.1')
        await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r))
        let replies = 0
        const got: Buffer[] = []
        sock.on('message', (b) => {
          replies++
          if (got.length < 8) got.push(b)
        })
        await fetchToken((b) => sock.send(b, port, '127.0.0.1'), got)
        await fuzz(corpus, {
          name: 'dht-krpc-udp',
          inputs: datagrams,
          run: async (input) => {
            const before = node.stats().handlerErrors
            await new Promise<void>((r) => sock.send(input, port, '127.0.0.1', () => r()))
            await new Promise((r) => setImmediate(r))
            if (node.stats().handlerErrors > before) throw new Error('a handler threw (202 Server Error)')
          },
          expected: () => false,
          async: true,
        })
        await new Promise((r) => setTimeout(r, 100))
        expect(node.stats().handlerErrors).toBe(0)
        const before = replies
        const ping = bencode({ t: 'zz', y: 'q', q: 'ping', a: { id: Buffer.alloc(20, 7) } })
        sock.send(ping, port, '127.0.0.1')
        await expect.poll(() => replies, { timeout: 5_000 }).toBeGreaterThan(before)
      } finally {
        sock.close()
        await node.destroy()
      }
    },
    FUZZ_TEST_TIMEOUT,
  )
})
