import ref from 'bencode'
import { describe, expect, it } from 'vitest'
import { RawBencode, bdecode, bencode, bencodeResponse } from '../src/bencode.js'
import type { BInput } from '../src/bencode.js'
import { BencodeError } from '../src/errors.js'
import { seededRandom } from '../src/rng.js'

const rnd = seededRandom(9)
function randomValue(depth: number): BInput {
  const r = rnd.next()
  if (depth > 3 || r < 0.3) return rnd.bytes(Math.floor(rnd.next() * 40))
  if (r < 0.45) return Math.floor((rnd.next() - 0.5) * 2 ** 40)
  if (r < 0.55) return ['héllo', 'ascii', '', '日本'][Math.floor(rnd.next() * 4)]!
  if (r < 0.75) return Array.from({ length: Math.floor(rnd.next() * 5) }, () => randomValue(depth + 1))
  const d: Record<string, BInput> = {}
  for (let i = 0; i < rnd.next() * 6; i++) d[`k${Math.floor(rnd.next() * 100)}`] = randomValue(depth + 1)
  return d
}

describe('bencode codec', () => {
  it('encodes byte-for-byte like the bencode package and decodes back', () => {
    for (let i = 0; i < 500; i++) {
      const v = randomValue(0)
      const ours = bencode(v)
      expect(ours.equals(Buffer.from(ref.encode(v)))).toBe(true)
      expect(bencode(bdecode(ours) as BInput).equals(ours)).toBe(true)
    }
  })

  it('encodes a KRPC response in one pass exactly like the generic encoder', () => {
    const id = rnd.bytes(20)
    const t = rnd.bytes(2)
    const values = new RawBencode(bencode([rnd.bytes(6), rnd.bytes(6)]))
    const cases: { [key: string]: BInput | undefined | null }[] = [
      {},
      { nodes: rnd.bytes(26) },
      { token: rnd.bytes(20), values },
      { token: rnd.bytes(20), nodes: rnd.bytes(52), skipped: undefined },
      { a: 1, ip: rnd.bytes(6), id: rnd.bytes(20), zz: 'x' }, // keys before and after `id`; ours wins
      { samples: rnd.bytes(40), interval: 21600, num: 3 },
    ]
    for (const r of cases) {
      expect(bencodeResponse(t, id, r).equals(bencode({ r: { ...r, id }, t, y: 'r' }))).toBe(true)
    }
  })

  it('copies pre-encoded bytes verbatim', () => {
    const raw = new RawBencode(bencode([Buffer.from('ab'), 7]))
    expect(bencode({ x: raw, a: 1 }).toString()).toBe('d1:ai1e1:xl2:abi7eee')
  })

  it('rejects malformed input', () => {
    for (const bad of [
      '',
      'i',
      'i12',
      'ie',
      'i1.5e',
      '5:abc',
      'l',
      'd1:a',
      'd1:ai1e1:ai2ee',
      'x',
      'i1ei2e',
      '99999999:a',
      // Found by the fuzzer (test/fuzz): Number() accepted these, BEP 3 does not.
      'i01e',
      'i-0e',
      'i0x10e',
      'i 1e',
      'i+1e',
      'i0b1e',
      '01:a',
      '00:',
    ]) {
      expect(() => bdecode(Buffer.from(bad)), bad).toThrow(BencodeError)
    }
    expect(() => bdecode(Buffer.from('l'.repeat(50) + 'e'.repeat(50)))).toThrow(BencodeError)
  })
})
