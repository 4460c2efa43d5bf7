// Ownership by XOR distance, checked against a BigInt brute force: the closest id wins, ties go to
// us, and a member's region falls to the next-closest one the moment its link goes.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Ownership } from '../../src/pool/ownership.js'

const big = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex')}`)

function bruteOwner(key: Uint8Array, ids: Map<string, Uint8Array>): string {
  let best = 'self'
  let dist = -1n
  for (const [who, id] of ids) {
    const d = big(key) ^ big(id)
    if (dist < 0n || d < dist) [best, dist] = [who, d]
  }
  return best
}

describe('Ownership', () => {
  it('gives each key to the XOR-closest member, and re-owns a region when its member goes', () => {
    const self = randomBytes(20)
    const o = new Ownership(self)
    const ids = new Map<string, Uint8Array>([['self', self]])
    for (let m = 0; m < 7; m++) {
      const id = randomBytes(20)
      ids.set(`m${m}`, id)
      o.set(`m${m}`, id)
    }
    const check = (): void => {
      for (let i = 0; i < 2_000; i++) {
        const key = randomBytes(20)
        const got = o.ownerOf(key)
        expect(got.self ? 'self' : got.who).toBe(bruteOwner(key, ids))
      }
    }
    check()
    o.delete('m3')
    ids.delete('m3')
    check()
    expect(o.size).toBe(6)
  })

  it('owns everything alone, and its own id even against an equal member id', () => {
    const self = randomBytes(20)
    const o = new Ownership(self)
    expect(o.ownerOf(randomBytes(20)).self).toBe(true)
    o.set('twin', Buffer.from(self))
    expect(o.ownerOf(randomBytes(20)).self).toBe(true)
    expect(() => new Ownership(randomBytes(19))).toThrow(RangeError)
  })
})
