// BEP-9 over real loopback TCP against stock bittorrent-protocol + ut_metadata, for v1, v2 and hybrid.
import { afterEach, describe, expect, it } from 'vitest'
import { MetadataServer, MetadataStore, fetchMetadata, rawDictValue } from '../src/index.js'
import { hybridInfo, v1Info, v2Info, type InfoFixture } from './helpers/fixtures.js'
import { startStockSeed, stockFetch, type StockSeed } from './helpers/stock.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function seed(f: InfoFixture): Promise<StockSeed> {
  const s = await startStockSeed(f.info)
  cleanups.push(() => s.close())
  return s
}

const peerAt = (port: number) => [{ host: '127.0.0.1', port }]

describe('fetch from a stock seed', () => {
  it('v1: multi-piece metadata verified with SHA-1', async () => {
    const f = v1Info(2000)
    expect(f.info.length).toBeGreaterThan(2 * 16384)
    const s = await seed(f)
    const r = await fetchMetadata({ infoHash: f.v1!, peers: peerAt(s.port), timeoutMs: 5000 })
    expect(Buffer.from(r.info).equals(f.info)).toBe(true)
    expect(r.version).toBe('v1')
  })

  it('v1: 25 pieces, more than the 16-request window', async () => {
    const f = v1Info(20_000)
    expect(Math.ceil(f.info.length / 16384)).toBe(25)
    const s = await seed(f)
    const r = await fetchMetadata({ infoHash: f.v1!, peers: peerAt(s.port), timeoutMs: 5000 })
    expect(Buffer.from(r.info).equals(f.info)).toBe(true)
  })

  it('v2: full 32-byte SHA-256 infohash', async () => {
    const f = v2Info(300)
    const s = await seed(f)
    const r = await fetchMetadata({ infoHash: f.v2!.toString('hex'), peers: peerAt(s.port), timeoutMs: 5000 })
    expect(Buffer.from(r.info).equals(f.info)).toBe(true)
    expect(r.version).toBe('v2')
  })

  it('v2: 20-byte truncated infohash', async () => {
    const f = v2Info(50)
    const s = await seed(f)
    const r = await fetchMetadata({ infoHash: f.v2!.subarray(0, 20), peers: peerAt(s.port), timeoutMs: 5000 })
    expect(r.version).toBe('v2')
  })

  it('hybrid: by its v1 hash and by its v2 hash', async () => {
    const f = hybridInfo(100)
    const s = await seed(f)
    const a = await fetchMetadata({ infoHash: f.v1!, peers: peerAt(s.port), timeoutMs: 5000 })
    const b = await fetchMetadata({ infoHash: f.v2!, peers: peerAt(s.port), timeoutMs: 5000 })
    expect(a.version).toBe('v1')
    expect(b.version).toBe('v2')
    expect(Buffer.from(b.info).equals(f.info)).toBe(true)
  })

  it('metadata over the size cap is refused with a reason', async () => {
    const f = v1Info(2000)
    const s = await seed(f)
    const err = await fetchMetadata({ infoHash: f.v1!, peers: peerAt(s.port), maxSize: 1000 }).catch(
      (e: unknown) => e,
    )
    expect(err).toMatchObject({ code: 'ERR_METADATA' })
    expect((err as { failures: { reason: string }[] }).failures[0]!.reason).toMatch(/over cap 1000/)
  })
})

describe('serve to a stock ut_metadata client', () => {
  async function server(...fs: InfoFixture[]): Promise<number> {
    const store = new MetadataStore()
    for (const f of fs) store.addInfo(f.info)
    const srv = new MetadataServer({ lookup: store })
    cleanups.push(() => srv.close())
    return (await srv.listen()).port
  }

  it('v1 and hybrid (stock clients verify SHA-1 only)', async () => {
    const v1 = v1Info(1500)
    const hy = hybridInfo(60)
    const port = await server(v1, hy)
    for (const f of [v1, hy]) {
      const got = await stockFetch(port, f.v1!.toString('hex'))
      expect(Buffer.from(rawDictValue(got, 'info')!).equals(f.info)).toBe(true)
    }
  })

  it('ours to ours: v2 served under its truncated hash', async () => {
    const f = v2Info(400)
    const port = await server(f)
    const r = await fetchMetadata({ infoHash: f.v2!, peers: peerAt(port), timeoutMs: 5000 })
    expect(Buffer.from(r.info).equals(f.info)).toBe(true)
  })
})
