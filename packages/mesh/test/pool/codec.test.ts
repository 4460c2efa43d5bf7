// bb_pool codecs: what one member encodes the other decodes to the same values; malformed, oversized
// or inconsistent messages are refused with a CodecError rather than half-read.
import { randomBytes } from 'node:crypto'
import { CodecError, dict } from '@bbmesh/wire'
import { describe, expect, it } from 'vitest'
import { MAX_HAVE_ENTRIES, MAX_POOL_ENTRIES, poolCodecs } from '../../src/pool/codec.js'

const roundTrip = <K extends keyof typeof poolCodecs>(
  type: K,
  v: Parameters<(typeof poolCodecs)[K]['encode']>[0],
) => {
  const codec = poolCodecs[type]
  const enc = (codec.encode as (x: typeof v) => { dict: never })(v)
  return (codec.decode as (d: never, t: Uint8Array) => unknown)(enc.dict, new Uint8Array())
}

describe('bb_pool codecs', () => {
  it('round-trips sightings with and without storer and peer', () => {
    const entries = [
      { infohash: randomBytes(20), via: 'sample' as const, storer: { host: '127.0.0.1', port: 6881 } },
      { infohash: randomBytes(20), via: 'announce' as const, peer: { host: '10.1.2.3', port: 51413 } },
      { infohash: randomBytes(20), via: 'get_peers' as const },
    ]
    const out = roundTrip('sightings', { entries }) as { entries: typeof entries }
    expect(out.entries.map((e) => ({ ...e, infohash: Buffer.from(e.infohash) }))).toEqual(
      entries.map((e) => ({ ...e, infohash: Buffer.from(e.infohash) })),
    )
  })

  it('round-trips hello; a hello without a point count means one', () => {
    const nodeId = randomBytes(20)
    expect(roundTrip('hello', { version: 1, nodeId, points: 32 })).toMatchObject({ version: 1, points: 32 })
    const bare = poolCodecs.hello.decode(dict({ v: 1, i: nodeId }) as never, new Uint8Array())
    expect(bare.points).toBe(1)
  })

  it('round-trips nodes and haves', () => {
    const nodes = [{ id: randomBytes(20), host: '127.0.0.1', port: 4000 }]
    const n = roundTrip('nodes', { nodes }) as { nodes: typeof nodes }
    expect(Buffer.from(n.nodes[0]!.id).equals(nodes[0]!.id)).toBe(true)
    expect(n.nodes[0]).toMatchObject({ host: '127.0.0.1', port: 4000 })
    const infohashes = [randomBytes(20), randomBytes(20)]
    const h = roundTrip('have', { infohashes }) as { infohashes: Uint8Array[] }
    expect(h.infohashes.map((x) => Buffer.from(x).toString('hex'))).toEqual(
      infohashes.map((x) => x.toString('hex')),
    )
  })

  it('refuses what a member must not send', () => {
    const bad: [keyof typeof poolCodecs, Record<string, unknown>][] = [
      ['sightings', { i: randomBytes(30), n: Buffer.alloc(0), p: Buffer.alloc(0), v: Buffer.alloc(0) }],
      ['sightings', { i: randomBytes(20), n: Buffer.alloc(12), p: Buffer.alloc(6), v: Buffer.alloc(1) }],
      ['sightings', { i: randomBytes(20), n: Buffer.alloc(6), p: Buffer.alloc(6), v: Buffer.from([9]) }],
      [
        'sightings',
        {
          i: randomBytes(20 * (MAX_POOL_ENTRIES + 1)),
          n: Buffer.alloc(0),
          p: Buffer.alloc(0),
          v: Buffer.alloc(0),
        },
      ],
      ['nodes', { n: randomBytes(27) }],
      ['have', { i: randomBytes(20 * (MAX_HAVE_ENTRIES + 1)) }],
      ['have', { i: 'not bytes' }],
      ['hello', { v: 1, i: randomBytes(19) }],
      ['hello', { v: 1, i: randomBytes(20), w: 65 }],
    ]
    for (const [type, d] of bad)
      expect(
        () =>
          (poolCodecs[type].decode as (d: never, t: Uint8Array) => unknown)(
            dict(d as never) as never,
            new Uint8Array(),
          ),
        type,
      ).toThrow(CodecError)
    expect(() =>
      poolCodecs.have.encode({
        infohashes: Array.from({ length: MAX_HAVE_ENTRIES + 1 }, () => randomBytes(20)),
      }),
    ).toThrow(CodecError)
  })
})
