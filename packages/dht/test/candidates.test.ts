import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CandidateList } from '../src/lookup/candidates.js'

const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((x, i) => x ^ b[i]!))
const node = (id: Buffer, port: number): { id: Buffer; host: string; port: number } => ({
  id,
  host: '10.0.0.1',
  port,
})

describe('CandidateList', () => {
  it('keeps candidates sorted by XOR distance to the target (ties past the first 32 bits too)', () => {
    const target = randomBytes(20)
    const list = new CandidateList(target, 1000)
    const ids: Buffer[] = []
    for (let i = 0; i < 300; i++) {
      const id = randomBytes(20)
      // A third share their first 4 bytes with the target: ordering then rests on the later bytes.
      if (i % 3 === 0) target.copy(id, 0, 0, 4)
      ids.push(id)
      list.add(node(id, 1000 + i), 'fresh', 0)
    }
    const want = ids.map((id) => xor(id, target)).sort(Buffer.compare)
    expect(list.items.map((c) => xor(c.id, target))).toEqual(want)
  })

  it('caps the list, dropping the farthest, and refuses a node farther than a full list holds', () => {
    const target = Buffer.alloc(20)
    const list = new CandidateList(target, 4)
    const at = (b: number): Buffer => Buffer.concat([Buffer.from([b]), Buffer.alloc(19)])
    for (const b of [40, 10, 30, 20]) expect(list.add(node(at(b), b), 'fresh', 0)).not.toBeNull()
    expect(list.add(node(at(50), 50), 'fresh', 0)).toBeNull()
    expect(list.add(node(at(5), 5), 'fresh', 0)).not.toBeNull()
    expect(list.items.map((c) => c.id[0])).toEqual([5, 10, 20, 30])
    expect(list.size).toBe(4)
    // The dropped node's address is free again.
    expect(list.get({ host: '10.0.0.1', port: 40 })).toBeUndefined()
    expect(list.add(node(at(1), 40), 'fresh', 0)).not.toBeNull()
    expect(list.items.map((c) => c.id[0])).toEqual([1, 5, 10, 20])
  })

  it('dedupes by host:port, keeping the first id seen there', () => {
    const target = randomBytes(20)
    const list = new CandidateList(target, 10)
    const a = randomBytes(20)
    expect(list.add(node(a, 7000), 'fresh', 2)).not.toBeNull()
    expect(list.add(node(randomBytes(20), 7000), 'fresh', 0)).toBeNull()
    expect(list.add({ id: randomBytes(20), host: '10.0.0.2', port: 7000 }, 'fresh', 0)).not.toBeNull()
    expect(list.size).toBe(2)
    const c = list.get({ host: '10.0.0.1', port: 7000 })!
    expect(c.id).toEqual(a)
    expect(c.depth).toBe(2)
    expect(c.state).toBe('fresh')
  })
})
