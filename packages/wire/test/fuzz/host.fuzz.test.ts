// Fuzz target: a live PeerHost (ut_metadata with a stored torrent, ut_pex, bb_gate) over TCP on
// 127.0.0.1, sent a valid handshake and then fuzzed messages (extended ones on its real ids, and raw
// BEP 3 ones). One connection per input. Oracle: no uncaught exception or unhandled rejection
// (vitest fails the run on either), and the host still completes a handshake with a fresh peer.
import { randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  MetadataStore,
  PeerHost,
  createGateExtension,
  createMetadataExtension,
  createPexExtension,
  dict,
  type BDict,
} from '../../src/index.js'
import { v1Info } from '../helpers/fixtures.js'
import { waitFor } from '../helpers/pair.js'
import {
  extended,
  extendedHandshake,
  handshake,
  message,
  parser,
  rawConnect,
  type ParsedStream,
} from '../helpers/raw-peer.js'
import { extendedDict } from './codecs.js'
import { FUZZ_TEST_TIMEOUT, bencodeNoise, fuzz, mutated } from '../../../../test-support/fuzz-harness.js'

const corpus = join(dirname(fileURLToPath(import.meta.url)), 'corpus')

describe('fuzz a PeerHost over TCP', () => {
  const store = new MetadataStore()
  const { info, v1 } = v1Info(40)
  const infoHash = v1!
  let host: PeerHost
  let port = 0
  let ids: number[] = []

  async function greet(): Promise<{ s: () => ParsedStream; socket: Socket; closed: Promise<void> }> {
    const c = await rawConnect(port)
    let s: ParsedStream = { messages: [] }
    c.socket.on(
      'data',
      parser((x) => (s = x)),
    )
    c.socket.write(handshake(infoHash, { peerId: randomBytes(20) }))
    c.socket.write(extendedHandshake({ m: dict({ ut_metadata: 1, ut_pex: 2, bb_gate: 3 }) }))
    return { s: () => s, ...c }
  }

  beforeAll(async () => {
    store.addInfo(info)
    host = new PeerHost({ acceptInfoHash: (ih) => store.get(ih) !== undefined })
    host.registry.register(createMetadataExtension({ lookup: store }))
    host.registry.register(
      createPexExtension({ localPeers: () => [{ host: '127.0.0.2', port: 6881, flags: 0 }] }),
    )
    host.registry.register(createGateExtension({ secret: randomBytes(32), timeoutMs: 200 }))
    port = (await host.listen()).port
    const probe = await greet()
    await waitFor(() => probe.s().ext !== undefined)
    ids = Object.values(probe.s().ext!['m'] as BDict).filter((x): x is number => typeof x === 'number')
    probe.socket.destroy()
  })
  afterAll(() => host.close())

  it(
    'fuzzed messages after a valid handshake never crash the host, and it still serves a fresh peer',
    async () => {
      const payloads = fc.oneof(
        extendedDict(['piece', 'total_size', 'added', 'added.f', 'dropped', 'n', 'h', 'm'], [0, 1, 2]),
        mutated(extendedDict(['piece', 'msg_type'], [0, 1, 2])),
        bencodeNoise(),
      )
      const msg = fc.oneof(
        fc
          .tuple(fc.oneof(fc.constantFrom(...ids), fc.integer({ min: 0, max: 255 })), payloads)
          .map(([id, p]) => extended(id, p)),
        fc
          .tuple(fc.integer({ min: 0, max: 21 }), fc.uint8Array({ maxLength: 20 }))
          .map(([id, p]) => message(id, p)),
      )
      const streams = fc
        .array(msg, { minLength: 1, maxLength: 6 })
        .map((ms) => new Uint8Array(Buffer.concat(ms)))
      await fuzz(corpus, {
        name: 'wire-peer-host',
        inputs: fc.oneof(streams, mutated(streams)),
        async: true,
        scale: 0.2,
        run: async (input) => {
          const c = await greet()
          c.socket.write(input)
          c.socket.end()
          await Promise.race([c.closed, new Promise((r) => setTimeout(r, 50))])
          c.socket.destroy()
        },
        expected: () => false,
      })
      const after = await greet()
      await waitFor(() => after.s().ext !== undefined)
      expect(Object.keys(after.s().ext!['m'] as BDict)).toContain('ut_metadata')
      after.socket.destroy()
    },
    FUZZ_TEST_TIMEOUT,
  )
})
