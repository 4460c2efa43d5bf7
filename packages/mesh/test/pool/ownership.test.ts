// Ownership by XOR distance, checked against a BigInt brute force: the closest id wins, ties go to
// us, and a member's region falls to the next-closest one the moment its link goes.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Ownership, partitionIds } from '../../src/pool/ownership.js'

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

  it('with 32 partition ids each, 8 members share the keyspace far more evenly than with one', () => {
    const largest = (points: number): number => {
      const ids = Array.from({ length: 8 }, () => randomBytes(20))
      const o = new Ownership(ids[0]!, points)
      ids.slice(1).forEach((id, m) => o.set(`m${m}`, id, points))
      const count = new Map<string, number>()
      for (let i = 0; i < 4_000; i++) {
        const w = o.ownerOf(randomBytes(20))
        const k = w.self ? 'self' : w.who
        count.set(k, (count.get(k) ?? 0) + 1)
      }
      return (Math.max(...count.values()) / 4_000) * 8 // largest share / mean share
    }
    const mean = (f: () => number): number => Array.from({ length: 10 }, f).reduce((a, b) => a + b) / 10
    const one = mean(() => largest(1))
    const many = mean(() => largest(32))
    expect(many).toBeLessThan(1.45)
    expect(many).toBeLessThan(one)
    // The ids are derived, so every member computes the same ones from an id and a count.
    const id = randomBytes(20)
    expect(partitionIds(id, 3).map((x) => Buffer.from(x).toString('hex'))).toEqual(
      partitionIds(Buffer.from(id), 3).map((x) => Buffer.from(x).toString('hex')),
    )
    expect(partitionIds(id, 3)[0]).toBe(id)
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
