// Structured KRPC inputs: queries of every method (BEP 5, 44, 51, and a custom one) whose arguments
// are plausible or not, so handlers see both near-valid and hostile fields.
import fc from 'fast-check'
import { bencode, generateKeyPair, sign, signatureBuffer, type BInput } from '../../src/index.js'

export const METHODS = [
  'ping',
  'find_node',
  'get_peers',
  'announce_peer',
  'get',
  'put',
  'sample_infohashes',
  'bb_custom',
  'vote',
  '',
] as const

const bytes = (...lengths: number[]): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    ...lengths.map((n) => fc.uint8Array({ minLength: n, maxLength: n })),
    fc.uint8Array({ maxLength: 1100 }),
  )

/** Any bencodable value, small. */
export const anyValue: fc.Arbitrary<BInput> = fc.letrec<{ v: BInput }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4 }),
  ),
})).v

const args = fc.record(
  {
    id: bytes(20),
    target: bytes(20),
    info_hash: bytes(20),
    token: bytes(4, 8, 20),
    port: fc.oneof(fc.integer({ min: -1, max: 70_000 }), anyValue),
    implied_port: fc.oneof(fc.constantFrom(0, 1), anyValue),
    v: anyValue,
    k: bytes(32),
    sig: bytes(64),
    seq: fc.oneof(fc.integer(), fc.constant(Number.MAX_SAFE_INTEGER), anyValue),
    cas: fc.oneof(fc.integer(), anyValue),
    salt: bytes(0, 64, 65),
    want: fc.array(fc.constantFrom('n4', 'n6', 'x'), { maxLength: 3 }),
    noseed: fc.constantFrom(0, 1),
    scrape: fc.constantFrom(0, 1),
    extra: anyValue,
  },
  { requiredKeys: [] },
)

/** One KRPC datagram: mostly queries, sometimes a response or error from nowhere. */
export const krpcDatagram: fc.Arbitrary<Uint8Array> = fc
  .record(
    {
      t: bytes(2),
      y: fc.constantFrom('q', 'q', 'q', 'r', 'e', 'x'),
      q: fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 70 })),
      a: fc.oneof(args, anyValue),
      r: fc.oneof(args, anyValue),
      e: fc.oneof(fc.tuple(fc.integer(), fc.string()), anyValue),
      v: bytes(4),
    },
    { requiredKeys: ['t', 'y'] },
  )
  .map((m) => new Uint8Array(bencode(m as BInput)))

/** Where a target puts the write token the node gave the attacker, for inputs that need one. */
export const tokenBox: { token: Buffer } = { token: Buffer.alloc(4) }

const keys = generateKeyPair(Buffer.alloc(32, 9))

/** Queries that pass every check up to the deep parts of a handler: a real token, a real signature. */
export const validWrites: fc.Arbitrary<Uint8Array> = fc
  .oneof(
    fc.record({
      kind: fc.constant('put' as const),
      v: anyValue,
      seq: fc.integer({ min: 0, max: 2 ** 40 }),
      salt: fc.uint8Array({ maxLength: 70 }).map((b) => Buffer.from(b)),
      cas: fc.option(fc.integer({ min: 0, max: 5 })),
      immutable: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('announce' as const),
      ih: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b)),
      port: fc.integer({ min: 0, max: 65_536 }),
      implied: fc.constantFrom(0, 1),
    }),
  )
  .map((w) => {
    const id = Buffer.alloc(20, 3)
    if (w.kind === 'announce') {
      const a = { id, info_hash: w.ih, port: w.port, implied_port: w.implied, token: tokenBox.token }
      return new Uint8Array(bencode({ t: 'aa', y: 'q', q: 'announce_peer', a }))
    }
    if (w.immutable)
      return new Uint8Array(bencode({ t: 'pi', y: 'q', q: 'put', a: { id, v: w.v, token: tokenBox.token } }))
    const sig = sign(signatureBuffer(w.seq, w.v, w.salt), keys.secretKey)
    const a: { [k: string]: BInput } = {
      id,
      v: w.v,
      seq: w.seq,
      k: keys.publicKey,
      sig,
      token: tokenBox.token,
    }
    if (w.salt.length > 0) a.salt = w.salt
    if (w.cas !== null) a.cas = w.cas
    return new Uint8Array(bencode({ t: 'pm', y: 'q', q: 'put', a }))
  })
