import { buildTorrent } from '@bbmesh/catalog'
import { describe, expect, it } from 'vitest'
import { InfoDictError } from '../../src/errors.js'
import { infoToTorrent } from '../../src/harvester/info-to-torrent.js'

const at = new Date('2026-11-23T00:00:00Z')
const data = new Uint8Array(40_000).fill(7)

describe('infoToTorrent', () => {
  it('maps a v1 info dict to index input', async () => {
    const b = await buildTorrent({ name: 'one', data }, { version: 'v1' })
    const t = infoToTorrent(b.info, b.infohashV1!, 'dht', at)
    expect(t).toMatchObject({ name: b.name, totalSize: 40_000, source: 'dht', seenAt: at, private: false })
    expect(t.infohashV2).toBeUndefined()
    expect(t.files).toHaveLength(1)
    expect(Buffer.from(t.files[0]!.path as Uint8Array).toString()).toBe('one')
    expect(t.rawInfo).toEqual(b.info)
  })

  it('accepts a hybrid by its v1 hash or its v2 hash truncated to 20 bytes (what the DHT carries)', async () => {
    const b = await buildTorrent({ name: 'h', files: [{ path: ['x', 'y'], data }] }, { version: 'hybrid' })
    for (const ih of [b.infohashV1!, b.infohashV2!.subarray(0, 20), b.infohashV2!]) {
      const t = infoToTorrent(b.info, ih, 'dht', at)
      expect(t.infohashV1).toEqual(b.infohashV1)
      expect(t.infohashV2).toEqual(b.infohashV2)
      expect(Buffer.from(t.files[0]!.path as Uint8Array).toString()).toBe('x/y')
      expect(t.files[0]!.piecesRoot).toHaveLength(32)
    }
  })

  it('refuses a dict that does not hash to the infohash, or is not a torrent info dict', async () => {
    const b = await buildTorrent({ name: 'one', data }, { version: 'v1' })
    expect(() => infoToTorrent(b.info, new Uint8Array(20), 'dht', at)).toThrow(InfoDictError)
    expect(() => infoToTorrent(new TextEncoder().encode('d1:ai1ee'), new Uint8Array(20), 'dht', at)).toThrow(
      InfoDictError,
    )
  })
})
