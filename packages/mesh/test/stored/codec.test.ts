// bb_stored and bb_near codecs: round trips, and the caps and orders a decoder enforces (a page out of
// byte order, over 500 entries or of a ragged length; a bb_near reply over its caps) refused whole.
import { randomBytes } from 'node:crypto'
import { bencode, bdecode, type BDict } from '@bbmesh/dht'
import { CodecError, dict } from '@bbmesh/wire'
import { describe, expect, it } from 'vitest'
import { NearError } from '../../src/errors.js'
import { decodeNearReply, encodeNearReply, NEAR_MAX_INFOHASHES } from '../../src/near/codec.js'
import { MAX_STORED_PAGE, storedCodecs } from '../../src/stored/codec.js'

const sorted = (n: number): Buffer[] => Array.from({ length: n }, () => randomBytes(20)).sort(Buffer.compare)
const none = new Uint8Array()

describe('bb_stored codecs', () => {
  it('round-trips ask (with and without a cursor) and page', () => {
    const cursor = randomBytes(20)
    const a = storedCodecs.ask.decode(storedCodecs.ask.encode({ id: 7, cursor, limit: 500 }).dict, none)
    expect({ ...a, cursor: Buffer.from(a.cursor!) }).toEqual({ id: 7, cursor, limit: 500 })
    expect(storedCodecs.ask.decode(storedCodecs.ask.encode({ id: 1, limit: 1 }).dict, none)).toEqual({
      id: 1,
      limit: 1,
    })
    const infohashes = sorted(MAX_STORED_PAGE)
    const page = { id: 3, infohashes, more: true, total: 12_345, dhtPort: 6881 }
    const enc = storedCodecs.page.encode(page)
    expect(bencode(enc.dict).length).toBeLessThanOrEqual(storedCodecs.page.maxBytes)
    const back = storedCodecs.page.decode(enc.dict, none)
    expect({ ...back, infohashes: back.infohashes.map((b) => Buffer.from(b)) }).toEqual(page)
  })

  it('refuses pages out of order, with repeats, ragged, or over the cap, and asks out of range', () => {
    const page = (i: Buffer): BDict => dict({ q: 1, i, m: 0, t: 0, d: 0 }) as BDict
    const [a, b] = sorted(2) as [Buffer, Buffer]
    expect(() => storedCodecs.page.decode(page(Buffer.concat([b, a])), none)).toThrow(CodecError)
    expect(() => storedCodecs.page.decode(page(Buffer.concat([a, a])), none)).toThrow(CodecError)
    expect(() => storedCodecs.page.decode(page(randomBytes(30)), none)).toThrow(CodecError)
    expect(() => storedCodecs.page.decode(page(Buffer.concat(sorted(MAX_STORED_PAGE + 1))), none)).toThrow(
      CodecError,
    )
    expect(() =>
      storedCodecs.page.encode({ id: 1, infohashes: sorted(501), more: false, total: 0, dhtPort: 0 }),
    ).toThrow(CodecError)
    expect(() => storedCodecs.ask.decode(dict({ q: 1, n: 501 }) as BDict, none)).toThrow(CodecError)
    expect(() => storedCodecs.ask.decode(dict({ q: 1, n: 0 }) as BDict, none)).toThrow(CodecError)
    expect(() => storedCodecs.ask.decode(dict({ q: 1, n: 5, c: randomBytes(19) }) as BDict, none)).toThrow(
      CodecError,
    )
  })
})

describe('bb_near reply codec', () => {
  it('round-trips through bencode, and fits one datagram at its caps', () => {
    const r = {
      nodes: Array.from({ length: 8 }, () => ({ id: randomBytes(20), host: '127.0.0.1', port: 4000 })),
      infohashes: sorted(NEAR_MAX_INFOHASHES),
      num: 9_999,
    }
    const bytes = bencode({ id: randomBytes(20), ...encodeNearReply(r) })
    expect(bytes.length).toBeLessThan(1_400)
    expect(decodeNearReply(bdecode(bytes) as BDict)).toEqual(r)
  })

  it('refuses replies over the caps or of the wrong shape', () => {
    const ok = { nodes: Buffer.alloc(0), samples: Buffer.alloc(0), num: 0 }
    const bad =
      (patch: object): (() => unknown) =>
      () =>
        decodeNearReply({ ...ok, ...patch } as BDict)
    expect(bad({ nodes: randomBytes(9 * 26) })).toThrow(NearError)
    expect(bad({ nodes: randomBytes(27) })).toThrow(NearError)
    expect(bad({ samples: randomBytes(51 * 20) })).toThrow(NearError)
    expect(bad({ samples: randomBytes(21) })).toThrow(NearError)
    expect(bad({ num: -1 })).toThrow(NearError)
    expect(bad({ num: undefined })).toThrow(NearError)
  })
})
