// Fuzz targets of @bbmesh/wire (test-support/fuzz-harness.ts): the bencode codec, the stream frame guard and
// the piece-transfer frame reader, the BEP 10 extended handshake, ut_metadata, ut_pex, bb_gate, and
// BEP 52 hash messages; then the same bytes at a live PeerHost over TCP on 127.0.0.1.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { FrameGuard } from '../../src/adapter/frame-guard.js'
import { FrameReader } from '../../src/pieces/messages.js'
import {
  bdecode,
  bencode,
  decodeHashes,
  decodeHashRequest,
  encodeHashes,
  encodeHashRequest,
  gateProtocol,
  metadataProtocol,
  pexProtocol,
  PieceError,
  WireError,
  type BValue,
  type ExtensionProtocol,
} from '../../src/index.js'
import { parseExtendedHandshake } from '../../src/extended-handshake.js'
import { decodeExtended, extendedDict, roundTrips } from './codecs.js'
import { FUZZ_TEST_TIMEOUT, bencodeNoise, fuzz, mutated } from '../../../../test-support/fuzz-harness.js'

const corpus = join(dirname(fileURLToPath(import.meta.url)), 'corpus')
const isWireError = (err: unknown): boolean => err instanceof WireError

describe('fuzz @bbmesh/wire', () => {
  it(
    'bencode: decodes or throws BencodeError; what it accepts round-trips at its own length',
    async () => {
      await fuzz(corpus, {
        name: 'wire-bencode',
        inputs: fc.oneof(
          bencodeNoise(),
          mutated(extendedDict(['piece', 'm', 'v'], [0, 1, 2])),
          fc.uint8Array({ maxLength: 64 }),
        ),
        run: (input) => {
          const v = bdecode(input)
          // Accepted input round-trips; keys may arrive unsorted (real torrents), nothing else may differ.
          const again = Buffer.from(bencode(v as BValue))
          if (!Buffer.from(bencode(bdecode(again))).equals(again))
            throw new Error('round trip changed the value')
          if (again.length !== input.length) throw new Error('accepted a non-canonical encoding')
        },
        expected: isWireError,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )

  it(
    'frame guard: a verdict or nothing, never a throw, and the same verdict however the stream is cut',
    async () => {
      const stream = fc
        .tuple(
          mutated(
            fc.constant(
              new Uint8Array(
                Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), Buffer.alloc(48)]),
              ),
            ),
          ),
          fc.array(
            fc.record({
              len: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(0x7fffffff, 16393, 1, 5, 13)),
              id: fc.integer({ min: 0, max: 25 }),
              body: fc.uint8Array({ maxLength: 40 }),
            }),
            { maxLength: 8 },
          ),
        )
        .map(([hs, msgs]) => {
          const parts = [Buffer.from(hs)]
          for (const m of msgs) {
            const head = Buffer.alloc(5)
            head.writeUInt32BE(m.len >>> 0)
            head[4] = m.id
            parts.push(head, Buffer.from(m.body))
          }
          return new Uint8Array(Buffer.concat(parts))
        })
      await fuzz(corpus, {
        name: 'wire-frame-guard',
        inputs: fc.oneof(stream, mutated(stream), fc.uint8Array({ maxLength: 200 })),
        run: (input) => {
          const whole = new FrameGuard(16_393).inspect(input)
          const g = new FrameGuard(16_393)
          let cut: unknown
          for (let i = 0; i < input.length && cut === undefined; i += 3)
            cut = g.inspect(input.subarray(i, i + 3))
          if (JSON.stringify(whole) !== JSON.stringify(cut))
            throw new Error(`whole ${JSON.stringify(whole)} vs cut ${JSON.stringify(cut)}`)
        },
        expected: () => false,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )

  it(
    'piece frame reader: messages or a PieceError, never another throw',
    async () => {
      await fuzz(corpus, {
        name: 'wire-frame-reader',
        inputs: fc
          .uint8Array({ maxLength: 300 })
          .map(
            (b) =>
              new Uint8Array(
                Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), Buffer.alloc(48), b]),
              ),
          ),
        run: (input) => {
          const r = new FrameReader(
            16_393,
            () => undefined,
            () => undefined,
          )
          for (let i = 0; i < input.length; i += 7) r.push(Buffer.from(input.subarray(i, i + 7)))
        },
        expected: (err) => err instanceof PieceError,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )

  it(
    'extended handshake: a parsed handshake with in-range fields, or a WireError',
    async () => {
      await fuzz(corpus, {
        name: 'wire-extended-handshake',
        inputs: fc.oneof(
          extendedDict(['m', 'v', 'p', 'reqq', 'metadata_size', 'yourip', 'ipv6', 'ipv4'], []),
          mutated(extendedDict(['m', 'v', 'p', 'reqq', 'metadata_size'], [])),
          bencodeNoise(),
        ),
        run: (input) => {
          const h = parseExtendedHandshake(input)
          for (const [, id] of h.extensions) if (!(id >= 0 && id <= 255)) throw new Error(`id ${id}`)
          if (h.listenPort !== undefined && !(h.listenPort >= 1 && h.listenPort <= 65535))
            throw new Error('port')
        },
        expected: isWireError,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )

  const protocols: [string, ExtensionProtocol<unknown>, string[], number[]][] = [
    ['ut_metadata', metadataProtocol as ExtensionProtocol<unknown>, ['piece', 'total_size'], [0, 1, 2]],
    [
      'ut_pex',
      pexProtocol as ExtensionProtocol<unknown>,
      ['added', 'added.f', 'added6', 'added6.f', 'dropped', 'dropped6'],
      [],
    ],
    ['bb_gate', gateProtocol as ExtensionProtocol<unknown>, ['n', 'h', 'm'], [0, 1, 2]],
  ]
  for (const [name, protocol, fields, types] of protocols) {
    it(
      `${name}: decoded as the dispatcher does, a WireError or a value that survives a round trip`,
      async () => {
        const inputs = extendedDict(fields, types)
        await fuzz(corpus, {
          name: `wire-${name}`,
          inputs: fc.oneof(inputs, mutated(inputs), bencodeNoise()),
          run: (input) => {
            const got = decodeExtended(protocol, input)
            if (got) roundTrips(protocol, got)
          },
          expected: isWireError,
        })
      },
      FUZZ_TEST_TIMEOUT,
    )
  }

  it(
    'BEP 52 hash request / hashes: a PieceError or a message that re-encodes to the same bytes',
    async () => {
      const header = fc.record({
        piecesRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
        base: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(0xffffffff)),
        index: fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.constant(0xffffffff)),
        length: fc.oneof(fc.constantFrom(0, 1, 2, 4, 8, 512, 513), fc.constant(0xffffffff)),
        proofLayers: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(0xffffffff)),
      })
      const valid = fc.tuple(header, fc.integer({ min: 0, max: 20 })).map(([h, n]) => {
        const hashes = Array.from({ length: n }, (_, i) => new Uint8Array(32).fill(i))
        return new Uint8Array(encodeHashes(h, hashes).subarray(5))
      })
      const request = header.map((h) => new Uint8Array(encodeHashRequest(h).subarray(5)))
      await fuzz(corpus, {
        name: 'wire-bep52-hashes',
        inputs: fc.oneof(valid, mutated(valid), request, mutated(request), fc.uint8Array({ maxLength: 200 })),
        run: (input) => {
          const b = Buffer.from(input)
          let req: ReturnType<typeof decodeHashRequest> | undefined
          try {
            req = decodeHashRequest(b)
          } catch (err) {
            if (!(err instanceof PieceError)) throw err
          }
          if (req && !encodeHashRequest(req).subarray(5).equals(b)) throw new Error('hash request round trip')
          const h = decodeHashes(b)
          if (!encodeHashes(h, h.hashes).subarray(5).equals(b)) throw new Error('hashes round trip')
        },
        expected: (err) => err instanceof PieceError,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )
})
