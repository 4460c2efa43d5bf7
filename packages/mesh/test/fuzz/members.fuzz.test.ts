// Fuzz targets for the mesh's own bb_* codecs (bb_members, bb_relay, bb_pool, bb_roots, bb_search, bb_stored, bb_sync), decoded the way @bbmesh/wire's
// dispatcher does it (size cap, bencoded dict prefix, msg_type, trailer rule, the codec's checks).
// Oracle: a WireError, or a value that survives encode -> decode unchanged.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  bencode,
  CodecError,
  decodePrefix,
  dict,
  isDict,
  WireError,
  type BDict,
  type ExtensionProtocol,
} from '@bbmesh/wire'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { membersProtocol } from '../../src/membership/codec.js'
import { relayProtocol } from '../../src/relay/codec.js'
import { rootsProtocol } from '../../src/roots/codec.js'
import { poolProtocol } from '../../src/pool/codec.js'
import { searchProtocol } from '../../src/search/codec.js'
import { storedProtocol } from '../../src/stored/codec.js'
import { syncProtocol } from '../../src/sync/codec.js'
import { FUZZ_TEST_TIMEOUT, bencodeNoise, fuzz, mutated } from '../../../../test-support/fuzz-harness.js'

const corpus = join(dirname(fileURLToPath(import.meta.url)), 'corpus')

interface AnyCodec {
  msgType: number | null
  maxBytes: number
  trailer?: boolean
  encode(v: unknown): { dict: BDict; trailer?: Uint8Array }
  decode(d: BDict, trailer: Uint8Array): unknown
}

function decodeAsDispatcher(
  p: ExtensionProtocol<unknown>,
  payload: Uint8Array,
): [string, unknown] | undefined {
  const codecs = Object.entries(p.codecs as Record<string, AnyCodec>)
  if (payload.length > Math.max(...codecs.map(([, c]) => c.maxBytes))) throw new CodecError('too large')
  const [value, end] = decodePrefix(payload)
  if (!isDict(value)) throw new CodecError('not a dict')
  const found = codecs.find(([, c]) => c.msgType === value['msg_type'])
  if (!found) return undefined
  const [type, codec] = found
  if (payload.length > codec.maxBytes) throw new CodecError('over the cap')
  const trailer = payload.subarray(end)
  if (trailer.length > 0 && codec.trailer !== true) throw new CodecError('trailing bytes')
  return [type, codec.decode(value, trailer)]
}

function encodeAsSender(p: ExtensionProtocol<unknown>, type: string, value: unknown): Uint8Array {
  const codec = (p.codecs as Record<string, AnyCodec>)[type]!
  const e = codec.encode(value)
  return Buffer.concat([
    bencode(dict({ ...e.dict, msg_type: codec.msgType! })),
    e.trailer ?? new Uint8Array(0),
  ])
}

const id = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b))
const port = fc.integer({ min: 1, max: 65_535 })
const host = fc.oneof(fc.ipV4(), fc.constantFrom('::1', '2001:db8::7', '::ffff:c000:207'))
const entry = fc.record({
  nodeId: id,
  host,
  wirePort: port,
  dhtPort: fc.integer({ min: 0, max: 65_535 }),
  caps: fc.nat(),
  ageSeconds: fc.integer({ min: 0, max: 86_400 }),
})
const membersValid = fc.oneof(
  fc
    .record({
      version: fc.constant(1),
      nodeId: id,
      wirePort: port,
      dhtPort: port,
      caps: fc.nat(),
      feedId: id,
    })
    .map((h) => encodeAsSender(membersProtocol as ExtensionProtocol<unknown>, 'hello', h)),
  fc
    .record({ added: fc.array(entry, { maxLength: 8 }), left: fc.array(id, { maxLength: 4 }) })
    .map((d) => encodeAsSender(membersProtocol as ExtensionProtocol<unknown>, 'delta', d)),
)
const relayValid = fc.oneof(
  fc
    .record({
      id: fc.nat(),
      infohash: fc.oneof(id, fc.uint8Array({ minLength: 32, maxLength: 32 })),
      piece: fc.nat(255),
    })
    .map((w) => encodeAsSender(relayProtocol as ExtensionProtocol<unknown>, 'want', w)),
  fc.record({ id: fc.nat(), data: fc.uint8Array({ minLength: 1, maxLength: 300 }) }).map(({ id: q, data }) =>
    encodeAsSender(relayProtocol as ExtensionProtocol<unknown>, 'piece', {
      id: q,
      piece: 0,
      total: data.length,
      data,
    }),
  ),
)

const pool = poolProtocol as ExtensionProtocol<unknown>
const endpoint = fc.option(fc.record({ host: fc.ipV4(), port }), { nil: undefined })
const poolValid = fc.oneof(
  id.map((nodeId) => encodeAsSender(pool, 'hello', { version: 1, nodeId })),
  fc
    .array(
      fc.record({
        infohash: id,
        via: fc.constantFrom('sample', 'get_peers', 'announce'),
        storer: endpoint,
        peer: endpoint,
      }),
      { maxLength: 12 },
    )
    .map((entries) =>
      encodeAsSender(pool, 'sightings', {
        entries: entries.map(({ storer, peer, ...e }) => ({
          ...e,
          ...(storer && { storer }),
          ...(peer && { peer }),
        })),
      }),
    ),
  fc
    .array(fc.record({ id, host: fc.ipV4(), port }), { maxLength: 12 })
    .map((nodes) => encodeAsSender(pool, 'nodes', { nodes })),
  fc.array(id, { maxLength: 24 }).map((infohashes) => encodeAsSender(pool, 'have', { infohashes })),
)

const roots = rootsProtocol as ExtensionProtocol<unknown>
const root = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b))
const rootsValid = fc
  .array(root, { maxLength: 24 })
  .map((rs) => encodeAsSender(roots, 'roots', { roots: rs }))

const search = searchProtocol as ExtensionProtocol<unknown>
const words = fc.string({ minLength: 1, maxLength: 40 }).filter((t) => t.trim() !== '')
const hex = (n: number): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'))
const hit = fc.record(
  {
    infohashV1: hex(20),
    infohashV2: fc.option(hex(32), { nil: null }),
    name: fc.string({ maxLength: 80 }),
    totalSize: fc.nat(),
    fileCount: fc.nat(1000),
    firstSeen: fc.nat(),
    lastSeen: fc.nat(),
    score: fc.integer({ min: -1e6, max: 1e6 }).map((s) => s / 1000),
    matchedFiles: fc.array(fc.record({ path: fc.string({ maxLength: 60 }), size: fc.nat() }), {
      maxLength: 3,
    }),
    flags: fc.subarray(['executable', 'password-bait', 'tiny-video'] as const),
    // Swarm liveness: optional keys an older member omits.
    lastAlive: fc.option(fc.nat(), { nil: undefined }),
    peersSeen: fc.option(fc.nat(10_000_000), { nil: undefined }),
  },
  {
    requiredKeys: [
      'infohashV1',
      'infohashV2',
      'name',
      'totalSize',
      'fileCount',
      'firstSeen',
      'lastSeen',
      'score',
      'matchedFiles',
      'flags',
    ],
  },
)
const searchValid = fc.oneof(
  fc
    .record(
      {
        id: fc.nat(),
        text: words,
        limit: fc.integer({ min: 1, max: 100 }),
        deadlineMs: fc.integer({ min: 1, max: 30_000 }),
        aliveSince: fc.option(fc.nat(), { nil: undefined }),
      },
      { requiredKeys: ['id', 'text', 'limit', 'deadlineMs'] },
    )
    .map((q) => encodeAsSender(search, 'query', q)),
  fc
    .record({ id: fc.nat(), hits: fc.array(hit, { maxLength: 4 }), done: fc.boolean() })
    .map((p) => encodeAsSender(search, 'hits', p)),
  fc
    .record({ id: fc.nat(), reason: fc.constantFrom('rate', 'load') })
    .map((b) => encodeAsSender(search, 'busy', b)),
)

const stored = storedProtocol as ExtensionProtocol<unknown>
const storedValid = fc.oneof(
  fc
    .record({
      id: fc.nat(),
      cursor: fc.option(id, { nil: undefined }),
      limit: fc.integer({ min: 1, max: 500 }),
    })
    .map(({ cursor, ...a }) => encodeAsSender(stored, 'ask', { ...a, ...(cursor && { cursor }) })),
  fc
    .record({
      id: fc.nat(),
      infohashes: fc.uniqueArray(id, { maxLength: 24, selector: (b) => b.toString('hex') }),
      more: fc.boolean(),
      total: fc.nat(),
      dhtPort: fc.integer({ min: 0, max: 65_535 }),
    })
    .map((p) => encodeAsSender(stored, 'page', { ...p, infohashes: p.infohashes.sort(Buffer.compare) })),
)

const sync = syncProtocol as ExtensionProtocol<unknown>
const key = fc.oneof(
  id,
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b)),
)
const syncValid = fc.oneof(
  fc
    .uint8Array({ minLength: 1, maxLength: 64 })
    .map((memberId) => encodeAsSender(sync, 'hello', { version: 1, memberId })),
  fc
    .record({
      id: fc.nat(),
      cursor: fc.oneof(fc.constant(Buffer.alloc(0)), key),
      limit: fc.integer({ min: 1, max: 2_000 }),
    })
    .map((l) => encodeAsSender(sync, 'list', l)),
  fc
    .record({
      id: fc.nat(),
      keys: fc.array(fc.record({ key, size: fc.integer({ min: 1, max: 4 * 2 ** 20 }) }), { maxLength: 12 }),
      next: key,
      done: fc.boolean(),
    })
    .map(({ id: q, keys, next, done }) =>
      encodeAsSender(sync, 'keys', {
        id: q,
        keys: keys.map((k) => k.key),
        sizes: keys.map((k) => k.size),
        next: keys.length > 0 || done ? next : undefined,
        done,
      }),
    ),
  fc
    .record({ id: fc.nat(), keys: fc.array(key, { minLength: 1, maxLength: 12 }) })
    .map((g) => encodeAsSender(sync, 'get', g)),
  fc
    .record({
      id: fc.nat(),
      offset: fc.nat(),
      final: fc.boolean(),
      data: fc.uint8Array({ maxLength: 300 }),
    })
    .map((d) => encodeAsSender(sync, 'data', d)),
)

describe('fuzz @bbmesh/mesh bb_* codecs', () => {
  const targets: [string, ExtensionProtocol<unknown>, fc.Arbitrary<Uint8Array>][] = [
    ['bb_members', membersProtocol as ExtensionProtocol<unknown>, membersValid],
    ['bb_relay', relayProtocol as ExtensionProtocol<unknown>, relayValid],
    ['bb_pool', pool, poolValid],
    ['bb_roots', roots, rootsValid],
    ['bb_search', search, searchValid],
    ['bb_stored', stored, storedValid],
    ['bb_sync', sync, syncValid],
  ]
  for (const [name, protocol, valid] of targets) {
    it(
      `${name}: a WireError, or a value that round-trips`,
      async () => {
        const report = await fuzz(corpus, {
          name: `mesh-${name}`,
          inputs: fc.oneof(valid, mutated(valid), bencodeNoise()),
          run: (input) => {
            const got = decodeAsDispatcher(protocol, input)
            if (!got) return
            // Compared as bytes: decoders hand out Uint8Array views where encoders were given Buffers.
            const bytes = encodeAsSender(protocol, got[0], got[1])
            const again = decodeAsDispatcher(protocol, bytes)!
            expect(again[0]).toBe(got[0])
            expect(Buffer.from(encodeAsSender(protocol, again[0], again[1])).equals(Buffer.from(bytes))).toBe(
              true,
            )
          },
          expected: (err) => err instanceof WireError,
        })
        expect(report.failed).toBe(false)
      },
      FUZZ_TEST_TIMEOUT,
    )
  }
})
