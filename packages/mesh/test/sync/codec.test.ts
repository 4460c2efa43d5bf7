// bb_sync codecs and the chunked answer stream: what one member encodes the other decodes to the same
// values; malformed, oversized, reordered or overrunning input is refused with a typed error.
import { randomBytes } from 'node:crypto'
import { CodecError, bdecode, bencode, dict, type BDict } from '@bbmesh/wire'
import { describe, expect, it } from 'vitest'
import {
  ascendingAfter,
  MAX_SYNC_GET_BYTES,
  MAX_SYNC_PAGE_KEYS,
  SYNC_CHUNK_BYTES,
  syncCodecs,
  type SyncMessages,
} from '../../src/sync/codec.js'
import { SyncError } from '../../src/sync/errors.js'
import { AnswerAssembler, chunks, packAnswer } from '../../src/sync/stream.js'

/** Encodes to bytes and decodes back, as the wire would. */
function roundTrip<K extends keyof SyncMessages>(type: K, v: SyncMessages[K]): SyncMessages[K] {
  const codec = syncCodecs[type]
  const enc = codec.encode(v)
  const bytes = bencode(enc.dict)
  expect(bytes.length + (enc.trailer?.length ?? 0)).toBeLessThanOrEqual(codec.maxBytes)
  return codec.decode(bdecode(bytes) as BDict, enc.trailer ?? new Uint8Array())
}

const hexes = (ks: Uint8Array[]): string[] => ks.map((k) => Buffer.from(k).toString('hex'))

describe('bb_sync codecs', () => {
  it('round-trips every message, a full page within its size bound', () => {
    const memberId = randomBytes(32)
    expect(Buffer.from(roundTrip('hello', { version: 1, memberId }).memberId).equals(memberId)).toBe(true)
    const cursor = randomBytes(20)
    expect(roundTrip('list', { id: 7, cursor, limit: 1000 })).toMatchObject({ id: 7, limit: 1000 })
    expect(roundTrip('list', { id: 1, cursor: new Uint8Array(0), limit: 1 }).cursor.length).toBe(0)
    // The largest page: 2,000 32-byte keys with 4 MiB sizes.
    const keys = Array.from({ length: MAX_SYNC_PAGE_KEYS }, () => randomBytes(32))
    const sizes = keys.map(() => 4 * 1024 * 1024)
    const page = roundTrip('keys', { id: 3, keys, sizes, next: keys.at(-1), done: false })
    expect(hexes(page.keys)).toEqual(hexes(keys))
    expect(page.sizes).toEqual(sizes)
    expect(page.done).toBe(false)
    const last = roundTrip('keys', { id: 4, keys: [], sizes: [], next: undefined, done: true })
    expect(last).toMatchObject({ keys: [], next: undefined, done: true })
    expect(hexes(roundTrip('get', { id: 5, keys }).keys)).toEqual(hexes(keys))
    const data = randomBytes(SYNC_CHUNK_BYTES)
    const d = roundTrip('data', { id: 6, offset: 65536, final: true, data })
    expect(d).toMatchObject({ id: 6, offset: 65536, final: true })
    expect(Buffer.from(d.data).equals(data)).toBe(true)
  })

  it('refuses what a member must not send', () => {
    const k = randomBytes(20)
    const bad: [keyof SyncMessages, BDict, Uint8Array?][] = [
      ['hello', dict({ v: 1, m: new Uint8Array(0) })],
      ['list', dict({ q: 1, c: randomBytes(33), n: 10 })],
      ['list', dict({ q: 1, c: k, n: MAX_SYNC_PAGE_KEYS + 1 })],
      ['keys', dict({ q: 1, i: [randomBytes(21)], s: [5], e: k })],
      ['keys', dict({ q: 1, i: [k], s: [5, 6], e: k })], // a size per key
      ['keys', dict({ q: 1, i: [k], s: [0], e: k })],
      ['keys', dict({ q: 1, i: [k], s: [5] })], // keys without where the next page starts
      ['keys', dict({ q: 1, i: Array.from({ length: MAX_SYNC_PAGE_KEYS + 1 }, () => k), s: [], e: k })],
      ['get', dict({ q: 1, i: [] })],
      ['data', dict({ q: 1, o: 0 }), randomBytes(SYNC_CHUNK_BYTES + 1)],
    ]
    for (const [type, d, trailer] of bad)
      expect(() => syncCodecs[type].decode(d, trailer ?? new Uint8Array()), type).toThrow(CodecError)
  })

  it('checks that a page ascends after its cursor', () => {
    const [a, b, c] = [Buffer.alloc(20, 1), Buffer.alloc(20, 2), Buffer.alloc(32, 3)]
    expect(ascendingAfter([a, b, c], new Uint8Array(0), c)).toBe(true)
    expect(ascendingAfter([b, a], new Uint8Array(0), b)).toBe(false)
    expect(ascendingAfter([a, b], a, b)).toBe(false) // not after the cursor
    expect(ascendingAfter([a, c], new Uint8Array(0), b)).toBe(false) // past where the page says it ends
  })
})

describe('bb_sync answer stream', () => {
  it('packs, chunks and reassembles dicts, with not-sent keys', () => {
    const dicts = [randomBytes(100_000), undefined, randomBytes(10), randomBytes(70_000)]
    const { stream, sent, bytes } = packAnswer(dicts)
    expect(sent).toBe(3)
    expect(bytes).toBe(170_010)
    const a = new AnswerAssembler(dicts.length)
    let out: (Uint8Array | undefined)[] | undefined
    for (const c of chunks(stream)) {
      expect(c.data.length).toBeLessThanOrEqual(SYNC_CHUNK_BYTES)
      out = a.add(c.offset, c.data, c.final)
    }
    expect(out?.map((d) => d && Buffer.from(d).toString('hex'))).toEqual(dicts.map((d) => d?.toString('hex')))
  })

  it('stops at the byte bound of one answer; the rest go as not sent', () => {
    const big = randomBytes(3 * 1024 * 1024)
    const { sent, bytes } = packAnswer([big, big, big, big])
    expect(sent).toBe(2)
    expect(bytes).toBeLessThanOrEqual(MAX_SYNC_GET_BYTES)
  })

  it('refuses gaps, overlaps, short or trailing answers', () => {
    const { stream } = packAnswer([randomBytes(10)])
    expect(() => new AnswerAssembler(1).add(4, stream.subarray(4), true)).toThrow(SyncError)
    expect(() => new AnswerAssembler(2).add(0, stream, true)).toThrow(SyncError) // cut short
    expect(() => new AnswerAssembler(1).add(0, Buffer.concat([stream, Buffer.alloc(1)]), true)).toThrow(
      SyncError,
    )
    const lying = Buffer.alloc(8)
    lying.writeUInt32BE(0xffffffff)
    expect(() => new AnswerAssembler(1).add(0, lying, true)).toThrow(SyncError)
  })
})
