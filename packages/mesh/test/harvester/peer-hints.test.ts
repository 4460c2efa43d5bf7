import { describe, expect, it } from 'vitest'
import { PeerHints } from '../../src/harvester/peer-hints.js'
import { toHex } from '../../src/hex.js'

const ih = (n: number) => new Uint8Array(20).fill(n)

describe('PeerHints', () => {
  it('keeps a few distinct valid peers per infohash, handed out once', () => {
    const h = new PeerHints(10, 2)
    h.add(ih(1), { host: '10.0.0.1', port: 1 })
    h.add(ih(1), { host: '10.0.0.1', port: 1 })
    h.add(ih(1), { host: '10.0.0.1', port: 0 })
    h.add(ih(1), { host: '10.0.0.2', port: 2 })
    h.add(ih(1), { host: '10.0.0.3', port: 3 })
    expect(h.take(toHex(ih(1)))).toEqual([
      { host: '10.0.0.1', port: 1 },
      { host: '10.0.0.2', port: 2 },
    ])
    expect(h.take(toHex(ih(1)))).toEqual([])
  })

  it('is bounded: the oldest infohashes are dropped', () => {
    const h = new PeerHints(3)
    for (let i = 0; i < 100; i++) h.add(ih(i), { host: '10.0.0.1', port: 6881 })
    expect(h.size).toBe(3)
    expect(h.take(toHex(ih(0)))).toEqual([])
    expect(h.take(toHex(ih(99)))).toHaveLength(1)
  })
})
