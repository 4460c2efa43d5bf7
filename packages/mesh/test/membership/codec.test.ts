// bb_members codecs: every message round-trips through bencode, and decode refuses what a hostile
// member could send (over-long lists, bad ids, bad addresses, ports and ages, non-dict entries) with a
// CodecError, which closes that connection.
import { randomBytes } from 'node:crypto'
import { bdecode, bencode, CodecError, dict, type BDict, type BValue } from '@bbmesh/wire'
import { describe, expect, it } from 'vitest'
import {
  MAX_AGE_SECONDS,
  MAX_ENTRIES_PER_MESSAGE,
  membersCodecs,
  type MemberEntry,
  type MembersMessages,
} from '../../src/membership/codec.js'

/** Encodes, bencodes, decodes the bytes and decodes the message: what the wire does. */
function roundTrip<K extends keyof MembersMessages>(type: K, value: MembersMessages[K]): MembersMessages[K] {
  const codec = membersCodecs[type]
  const bytes = bencode(codec.encode(value).dict)
  expect(bytes.length).toBeLessThanOrEqual(codec.maxBytes)
  return codec.decode(bdecode(bytes) as BDict, new Uint8Array(0))
}

function entry(over: Partial<MemberEntry> = {}): MemberEntry {
  return {
    nodeId: randomBytes(20),
    host: '192.0.2.7',
    wirePort: 6881,
    dhtPort: 6882,
    caps: 1,
    ageSeconds: 12,
    ...over,
  }
}

/** A valid wire entry dict, with fields overridden (undefined removes one). */
function rawEntry(over: Record<string, BValue | undefined> = {}): BDict {
  return dict({ i: randomBytes(20), h: Buffer.from([10, 0, 0, 1]), p: 7000, d: 7001, c: 0, s: 5, ...over })
}

const decodeDelta = (d: BDict) => membersCodecs.delta.decode(d, new Uint8Array(0))
const decodeHello = (d: BDict) => membersCodecs.hello.decode(d, new Uint8Array(0))

const norm = (e: MemberEntry) => ({ ...e, nodeId: Buffer.from(e.nodeId).toString('hex') })

describe('bb_members codecs', () => {
  it('round-trips hello, delta and leave', () => {
    const hello = { version: 1, nodeId: randomBytes(20), wirePort: 51_413, dhtPort: 0, caps: 0xffff_ffff }
    const h = roundTrip('hello', hello)
    expect({ ...h, nodeId: Buffer.from(h.nodeId) }).toEqual({ ...hello, nodeId: Buffer.from(hello.nodeId) })

    const added = Array.from({ length: MAX_ENTRIES_PER_MESSAGE }, (_, i) =>
      entry({ wirePort: 1 + i, ageSeconds: i === 0 ? MAX_AGE_SECONDS : i }),
    )
    const left = Array.from({ length: MAX_ENTRIES_PER_MESSAGE }, () => randomBytes(20))
    const d = roundTrip('delta', { added, left })
    expect(d.added.map(norm)).toEqual(added.map(norm))
    expect(d.left.map((x) => Buffer.from(x).toString('hex'))).toEqual(left.map((x) => x.toString('hex')))
    expect(roundTrip('delta', { added: [], left: [] })).toEqual({ added: [], left: [] })
    expect(roundTrip('leave', {})).toEqual({})
  })

  it('clamps ages on encode to [0, one day] and whole seconds', () => {
    const d = roundTrip('delta', {
      added: [
        entry({ ageSeconds: -3 }),
        entry({ ageSeconds: 2.9 }),
        entry({ ageSeconds: 10 * MAX_AGE_SECONDS }),
      ],
      left: [],
    })
    expect(d.added.map((e) => e.ageSeconds)).toEqual([0, 2, MAX_AGE_SECONDS])
  })

  it('round-trips IPv6 addresses', () => {
    const hosts = [
      '2001:db8::1',
      '::1',
      '::',
      '2001:db8::',
      'fe80::1:2:3:4',
      '2001:db8:85a3:8d3:1319:8a2e:370:7348',
      '2001:db8:0:1::',
    ]
    const d = roundTrip('delta', { added: hosts.map((host) => entry({ host })), left: [] })
    expect(d.added.map((e) => e.host)).toEqual(hosts)
    // Non-canonical spellings decode to the canonical form of the same address.
    const n = roundTrip('delta', {
      added: [entry({ host: '2001:DB8:0:0:0:0:0:1' }), entry({ host: '0:0:0:0:0:0:0:1' })],
      left: [],
    })
    expect(n.added.map((e) => e.host)).toEqual(['2001:db8::1', '::1'])
  })

  it('keeps an IPv4-mapped IPv6 address (what a dual-stack listener reports) as the same address', () => {
    const d = roundTrip('delta', { added: [entry({ host: '::ffff:192.0.2.7' })], left: [] })
    // The WHATWG form of ::ffff:192.0.2.7: the same 16 bytes.
    expect(d.added[0]!.host).toBe('::ffff:c000:207')
  })

  it('refuses an encode of more than 50 entries with a CodecError', () => {
    const many = Array.from({ length: MAX_ENTRIES_PER_MESSAGE + 1 }, () => entry())
    expect(() => membersCodecs.delta.encode({ added: many, left: [] })).toThrow(CodecError)
    const ids = Array.from({ length: MAX_ENTRIES_PER_MESSAGE + 1 }, () => randomBytes(20))
    expect(() => membersCodecs.delta.encode({ added: [], left: ids })).toThrow(CodecError)
    expect(() => membersCodecs.delta.encode({ added: [entry({ host: 'example.org' })], left: [] })).toThrow(
      CodecError,
    )
  })

  it('refuses on decode more than 50 added or left entries', () => {
    const a = Array.from({ length: MAX_ENTRIES_PER_MESSAGE + 1 }, () => rawEntry())
    expect(() => decodeDelta(dict({ a, l: [] }))).toThrow(CodecError)
    const l = Array.from({ length: MAX_ENTRIES_PER_MESSAGE + 1 }, () => randomBytes(20))
    expect(() => decodeDelta(dict({ a: [], l }))).toThrow(CodecError)
    // Exactly 50 is fine.
    expect(decodeDelta(dict({ a: a.slice(1), l: l.slice(1) })).added).toHaveLength(MAX_ENTRIES_PER_MESSAGE)
  })

  it('refuses bad id lengths in hello, entries and left ids', () => {
    for (const len of [0, 19, 21, 32]) {
      const id = randomBytes(len)
      expect(() => decodeHello(dict({ v: 1, i: id, p: 6881, d: 6882 }))).toThrow(CodecError)
      expect(() => decodeDelta(dict({ a: [rawEntry({ i: id })], l: [] }))).toThrow(CodecError)
      expect(() => decodeDelta(dict({ a: [], l: [id] }))).toThrow(CodecError)
    }
    expect(() => decodeDelta(dict({ a: [], l: [7] }))).toThrow(CodecError)
  })

  it('refuses addresses that are not 4 or 16 bytes', () => {
    for (const len of [0, 3, 5, 6, 15, 17, 18]) {
      expect(() => decodeDelta(dict({ a: [rawEntry({ h: randomBytes(len) })], l: [] }))).toThrow(CodecError)
    }
    expect(() => decodeDelta(dict({ a: [rawEntry({ h: 167772161 })], l: [] }))).toThrow(CodecError)
    expect(decodeDelta(dict({ a: [rawEntry({ h: Buffer.alloc(16) })], l: [] })).added[0]!.host).toBe('::')
  })

  it('refuses ports out of range', () => {
    for (const p of [0, -1, 65_536, 1e9]) {
      expect(() => decodeDelta(dict({ a: [rawEntry({ p })], l: [] }))).toThrow(CodecError)
      expect(() => decodeHello(dict({ v: 1, i: randomBytes(20), p, d: 6882 }))).toThrow(CodecError)
    }
    for (const d of [-1, 65_536]) {
      expect(() => decodeDelta(dict({ a: [rawEntry({ d })], l: [] }))).toThrow(CodecError)
      expect(() => decodeHello(dict({ v: 1, i: randomBytes(20), p: 6881, d }))).toThrow(CodecError)
    }
    // A DHT port of 0 (no DHT) and the extremes are accepted.
    const ok = decodeDelta(dict({ a: [rawEntry({ p: 65_535, d: 0 })], l: [] })).added[0]!
    expect([ok.wirePort, ok.dhtPort]).toEqual([65_535, 0])
  })

  it('refuses ages out of range', () => {
    for (const s of [-1, MAX_AGE_SECONDS + 1, 2 ** 40]) {
      expect(() => decodeDelta(dict({ a: [rawEntry({ s })], l: [] }))).toThrow(CodecError)
    }
    expect(() => decodeDelta(dict({ a: [rawEntry({ s: undefined })], l: [] }))).toThrow(CodecError)
    expect(decodeDelta(dict({ a: [rawEntry({ s: MAX_AGE_SECONDS })], l: [] })).added[0]!.ageSeconds).toBe(
      MAX_AGE_SECONDS,
    )
  })

  it('refuses entries that are not dicts, and mistyped fields', () => {
    for (const bad of [randomBytes(20), 5, [rawEntry()]] as BValue[]) {
      expect(() => decodeDelta(dict({ a: [rawEntry(), bad], l: [] }))).toThrow(CodecError)
    }
    expect(() => decodeDelta(dict({ a: rawEntry(), l: [] }))).toThrow(CodecError)
    expect(() => decodeDelta(dict({ l: [] }))).toThrow(CodecError)
    expect(() => decodeDelta(dict({ a: [], l: randomBytes(20) }))).toThrow(CodecError)
    expect(() => decodeDelta(dict({ a: [rawEntry({ p: Buffer.from('6881') })], l: [] }))).toThrow(CodecError)
    expect(() => decodeDelta(dict({ a: [rawEntry({ c: -1 })], l: [] }))).toThrow(CodecError)
    expect(() => decodeHello(dict({ v: Buffer.from('1'), i: randomBytes(20), p: 6881, d: 6882 }))).toThrow(
      CodecError,
    )
    expect(() => decodeHello(dict({ v: 0, i: randomBytes(20), p: 6881, d: 6882 }))).toThrow(CodecError)
    expect(() => decodeHello(dict({ v: 1, i: randomBytes(20), d: 6882 }))).toThrow(CodecError)
  })
})
