import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { slabId } from '../src/id-slab.js'
import { createDhtTestnet } from '../src/index.js'

describe('slab ids', () => {
  it('copies ids into shared slabs, independent of the source bytes', () => {
    const a = randomBytes(20)
    const b = randomBytes(20)
    const ca = slabId(a)
    const cb = slabId(b)
    expect(ca.equals(a) && cb.equals(b)).toBe(true)
    a.fill(0)
    expect(ca.equals(a)).toBe(false)
    expect(ca.buffer).toBe(cb.buffer) // one slab, no ArrayBuffer per id
    const odd = Buffer.alloc(7)
    expect(slabId(odd)).toBe(odd)
  })

  it('routing tables hold slab ids that still match the nodes', async () => {
    const net = await createDhtTestnet(20)
    try {
      const ids = new Set(net.nodes.map((n) => n.id.toString('hex')))
      for (const n of net.nodes) {
        for (const c of n.contacts()) {
          expect(ids.has(c.id.toString('hex'))).toBe(true)
          expect(c.id.buffer.byteLength).toBeGreaterThan(20)
        }
      }
    } finally {
      await net.destroy()
    }
  })
})
