// The extension-message decode path exactly as the dispatcher runs it (size cap, bencoded dict prefix,
// msg_type lookup, trailer rule, the codec's own checks), and valid messages of each protocol to mutate.
import fc from 'fast-check'
import {
  bdecode,
  bencode,
  CodecError,
  decodePrefix,
  dict,
  isDict,
  type BDict,
  type ExtensionProtocol,
} from '../../src/index.js'

interface AnyCodec {
  msgType: number | null
  maxBytes: number
  trailer?: boolean
  encode(v: unknown): { dict: BDict; trailer?: Uint8Array }
  decode(d: BDict, trailer: Uint8Array): unknown
}

const codecsOf = (p: ExtensionProtocol<unknown>): [string, AnyCodec][] =>
  Object.entries(p.codecs as Record<string, AnyCodec>)

/** Decodes one payload the way extensions/dispatcher.ts does; undefined for an unknown msg_type. */
export function decodeExtended(
  p: ExtensionProtocol<unknown>,
  payload: Uint8Array,
): { type: string; value: unknown } | undefined {
  const codecs = codecsOf(p)
  if (payload.length > Math.max(...codecs.map(([, c]) => c.maxBytes))) throw new CodecError('too large')
  const [value, end] = decodePrefix(payload)
  if (!isDict(value)) throw new CodecError('not a dict')
  const found = codecs.find(([, c]) => (c.msgType === null ? true : c.msgType === value['msg_type']))
  if (!found) return undefined
  const [type, codec] = found
  if (payload.length > codec.maxBytes) throw new CodecError('over the cap')
  const trailer = payload.subarray(end)
  if (trailer.length > 0 && codec.trailer !== true) throw new CodecError('trailing bytes')
  return { type, value: codec.decode(value, trailer) }
}

/** Encodes a decoded value back to a payload (msg_type added as the sender does). */
export function encodeExtended(p: ExtensionProtocol<unknown>, type: string, value: unknown): Uint8Array {
  const codec = (p.codecs as Record<string, AnyCodec>)[type]!
  const e = codec.encode(value)
  const d = codec.msgType === null ? e.dict : dict({ ...e.dict, msg_type: codec.msgType })
  return Buffer.concat([bencode(d), e.trailer ?? new Uint8Array(0)])
}

/** Random dicts with the field names the protocols use, values plausible or not. */
export const extendedDict = (names: string[], msgTypes: number[]): fc.Arbitrary<Uint8Array> =>
  fc
    .record({
      fields: fc.dictionary(
        fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })),
        fc.oneof(
          fc.integer({ min: -2, max: 70_000 }),
          fc.constantFrom(0, 1, 2, 255, 256, 2 ** 31, Number.MAX_SAFE_INTEGER),
          fc.uint8Array({ maxLength: 80 }),
          fc.constantFrom(18, 20, 32, 36, 6, 12).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
          fc.dictionary(fc.string({ maxLength: 8 }), fc.integer({ min: -1, max: 300 }), { maxKeys: 70 }),
        ),
        { maxKeys: 8 },
      ),
      msgType: fc.option(fc.constantFrom(...msgTypes, -1, 3, 99)),
      trailer: fc.uint8Array({ maxLength: 300 }),
    })
    .map(({ fields, msgType, trailer }) => {
      const d: Record<string, unknown> = { ...fields }
      if (msgType !== null) d['msg_type'] = msgType
      return new Uint8Array(Buffer.concat([bencode(dict(d as BDict)), trailer]))
    })

/** A decoded value survives encode → decode unchanged (so what we accept we can also relay). */
export function roundTrips(p: ExtensionProtocol<unknown>, got: { type: string; value: unknown }): void {
  const again = decodeExtended(p, encodeExtended(p, got.type, got.value))
  if (again === undefined || again.type !== got.type) throw new Error('re-encoded message lost its type')
  const a = JSON.stringify(canon(again.value))
  const b = JSON.stringify(canon(got.value))
  if (a !== b) throw new Error(`round trip changed ${b} into ${a}`)
}

/** Bytes as hex and Maps as entries, whatever their class (Buffer's toJSON would differ). */
function canon(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [k, canon(x)])
  if (Array.isArray(v)) return v.map(canon)
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canon(x)]))
  return v
}

export { bdecode }
