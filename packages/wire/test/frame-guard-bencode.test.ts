// Unit tests for the two pure pieces under everything: the stream framing guard and the strict bencode codec.
import { describe, expect, it } from 'vitest'
import { FrameGuard } from '../src/adapter/frame-guard.js'
import { BencodeError, bdecode, bencode, decodePrefix, dict, rawDictValue } from '../src/index.js'
import { handshake, message } from './helpers/raw-peer.js'

describe('FrameGuard', () => {
  const stream = Buffer.concat([
    handshake(Buffer.alloc(20, 1)),
    Buffer.alloc(4), // keep-alive
    message(1),
    message(4, Buffer.alloc(4)),
    message(20, Buffer.from([0, 0x64, 0x65])),
    message(7, Buffer.alloc(8 + 16384)),
  ])

  it('accepts a well-framed stream fed one byte at a time and counts messages', () => {
    const g = new FrameGuard(20_000)
    for (const byte of stream) expect(g.inspect(Buffer.from([byte]))).toBeUndefined()
    expect(g.handshakeDone).toBe(true)
    expect(g.messages).toBe(5)
  })

  it('rejects an oversized length prefix split across chunks, before the payload', () => {
    const g = new FrameGuard(1000)
    expect(g.inspect(handshake(Buffer.alloc(20)))).toBeUndefined()
    expect(g.inspect(Buffer.from([0x7f, 0xff]))).toBeUndefined()
    expect(g.inspect(Buffer.from([0xff, 0xff]))).toEqual({
      kind: 'message-too-large',
      length: 0x7fffffff,
      max: 1000,
    })
  })

  it('rejects bad handshakes and wrong fixed lengths', () => {
    expect(new FrameGuard(100).inspect(Buffer.from('GET /'))).toMatchObject({ kind: 'bad-handshake' })
    expect(new FrameGuard(100).inspect(Buffer.from([19, 66, 120]))).toMatchObject({ kind: 'bad-handshake' })
    const g = new FrameGuard(100)
    expect(g.inspect(Buffer.concat([handshake(Buffer.alloc(20)), message(6, Buffer.alloc(4))]))).toEqual({
      kind: 'bad-message-length',
      id: 6,
      length: 5,
    })
    const h = new FrameGuard(100)
    expect(h.inspect(Buffer.concat([handshake(Buffer.alloc(20)), message(20)]))).toMatchObject({
      kind: 'bad-message-length',
      id: 20,
    })
  })
})

describe('bencode', () => {
  it('round-trips and sorts keys by bytes', () => {
    const v = dict({ z: 1, a: [Buffer.from('x'), -5, dict({ '': 0 })], 'piece length': 16384 })
    const enc = bencode(v)
    expect(Buffer.from(enc).toString()).toBe('d1:al1:xi-5ed0:i0eee12:piece lengthi16384e1:zi1ee')
    expect(bdecode(enc)).toEqual(v)
  })

  it('rejects malformed input with BencodeError', () => {
    for (const bad of [
      'i01e',
      'i-0e',
      'ie',
      'i1',
      '3:ab',
      '01:a',
      'l',
      'd1:a',
      'd1:ai1e1:ai2ee',
      'x',
      'i1ei2e',
      'i99999999999999999999e',
    ]) {
      expect(() => bdecode(Buffer.from(bad)), bad).toThrow(BencodeError)
    }
    expect(() => bdecode(Buffer.from('l'.repeat(100) + 'e'.repeat(100)))).toThrow(/too deep/)
  })

  it('decodePrefix reports where the value ends; rawDictValue returns exact bytes', () => {
    const buf = Buffer.from('d8:msg_typei1e5:piecei0eeRAW')
    const [, end] = decodePrefix(buf)
    expect(buf.subarray(end).toString()).toBe('RAW')
    const torrent = Buffer.from('d8:announce3:url4:infod4:name1:x2:zzi1e1:ai2eee')
    expect(Buffer.from(rawDictValue(torrent, 'info')!).toString()).toBe('d4:name1:x2:zzi1e1:ai2ee')
  })
})
