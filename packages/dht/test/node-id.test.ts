import { describe, expect, it } from 'vitest'
import { deriveNodeId, isNodeIdValidForIp } from '../src/node-id.js'
import { inRegion, randomIdIn } from '../src/region.js'
import { seededRandom } from '../src/rng.js'

// BEP 42 "Test vectors" (IP, rand, example node id).
const VECTORS: [string, number, string][] = [
  ['124.31.75.21', 1, '5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401'],
  ['21.75.31.124', 86, '5a3ce9c14e7a08645677bbd1cfe7d8f956d53256'],
  ['65.23.51.170', 22, 'a5d43220bc8f112a3d426c84764f8c2a1150e616'],
  ['84.124.73.14', 65, '1b0321dd1bb1fe518101ceef99462b947a01ff41'],
  ['43.213.53.83', 90, 'e56f6cbf5b7c4be0237986d5243b87aa6d51305a'],
]

describe('BEP 42 node ids', () => {
  for (const [ip, rand, id] of VECTORS) {
    it(`${ip} rand=${rand}`, () => {
      const expected = Buffer.from(id, 'hex')
      expect(isNodeIdValidForIp(expected, ip)).toBe(true)
      const derived = deriveNodeId(ip, rand, expected)
      expect(derived.equals(expected)).toBe(true)
      expect(isNodeIdValidForIp(derived, '1.2.3.4')).toBe(false)
    })
  }
})

describe('regions', () => {
  it('random ids fall inside their region', () => {
    const rnd = seededRandom(3)
    for (const bits of [0, 1, 5, 8, 13, 20]) {
      const region = { prefix: rnd.bytes(20), bits }
      for (let i = 0; i < 50; i++) expect(inRegion(randomIdIn(region, rnd), region)).toBe(true)
    }
    const region = { prefix: Buffer.from([0b10100000]), bits: 3 }
    expect(inRegion(Buffer.from([0b10111111]), region)).toBe(true)
    expect(inRegion(Buffer.from([0b11100000]), region)).toBe(false)
  })
})
