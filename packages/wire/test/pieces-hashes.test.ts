// BEP 52 hash request / hashes / hash reject: codecs, the answers our server computes, our downloader
// fetching piece layers it lacks (as after a magnet), and hostile peers on both sides. Expected
// hashes come from the independent merkle code in helpers/pieces-torrent.ts or plain SHA-256.
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { MSG } from '../src/constants.js'
import { HashSource, TreeCache } from '../src/pieces/hash-source.js'
import { padHash, uncleCount, verifyHashes } from '../src/pieces/merkle.js'
import {
  decodeHashes,
  decodeHashRequest,
  encodeHashes,
  encodeHashReject,
  encodeHashRequest,
  encodeMessage,
  type HashRequest,
} from '../src/pieces/messages.js'
import { MemoryStorage, PieceServer, downloadPieces, layoutFromInfo } from '../src/pieces/index.js'
import { rawClient, scriptedSeed, sha256 } from './helpers/pieces-peer.js'
import { makeTorrent, type TestTorrent } from './helpers/pieces-torrent.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

const PIECE = 32768 // two blocks a piece: the piece layer (height 1) is not the leaf layer
const v2Torrent = (): TestTorrent =>
  makeTorrent(
    [
      ['big.bin', randomBytes(300_000)], // 10 pieces, 19 blocks: depth 5
      ['dir/mid.bin', randomBytes(100_000)], // 4 pieces, depth 3
      ['dir/small.txt', randomBytes(500)], // one piece: its root verifies it
    ],
    'v2',
    PIECE,
  )
const rootOf = (t: TestTorrent, path: string): Uint8Array => {
  const l = layoutFromInfo(t.info)
  const f = l.files.find((x) => x.path.map((p) => Buffer.from(p).toString()).join('/') === path)
  return f?.piecesRoot as Uint8Array
}
const layerHashes = (layer: Uint8Array): Buffer[] =>
  Array.from({ length: layer.length / 32 }, (_, i) => Buffer.from(layer.subarray(i * 32, i * 32 + 32)))
const body = (msg: Buffer): Buffer => msg.subarray(5)

async function seed(t: TestTorrent, withLayers: boolean): Promise<{ server: PieceServer; port: number }> {
  const server = new PieceServer()
  server.add(t.info, MemoryStorage.seed(layoutFromInfo(t.info), t.files), {
    pieceLayers: withLayers ? t.pieceLayers : undefined,
  })
  const { port } = await server.listen(0, '127.0.0.1')
  cleanups.push(() => server.close())
  return { server, port }
}

describe('BEP 52 hash messages', () => {
  it('codec round-trip: hash request (21), hashes (22), hash reject (23); malformed ones refused', () => {
    const r: HashRequest = { piecesRoot: randomBytes(32), base: 1, index: 512, length: 128, proofLayers: 9 }
    const req = encodeHashRequest(r)
    expect(req.readUInt32BE(0)).toBe(49)
    expect(req[4]).toBe(MSG.hashRequest)
    expect(decodeHashRequest(body(req))).toEqual({ ...r, piecesRoot: new Uint8Array(r.piecesRoot) })
    const rej = encodeHashReject(r)
    expect(rej[4]).toBe(MSG.hashReject)
    expect(decodeHashRequest(body(rej))).toEqual(decodeHashRequest(body(req)))
    // 128 hashes, then proof layers 7..9 of the 9 requested: 3 uncles.
    expect(uncleCount(128, 9)).toBe(3)
    const hashes = Array.from({ length: 131 }, () => randomBytes(32))
    const msg = encodeHashes(r, hashes)
    expect(msg[4]).toBe(MSG.hashes)
    const back = decodeHashes(body(msg))
    expect(back.hashes).toEqual(hashes)
    expect(back.proofLayers).toBe(9)
    expect(() => decodeHashes(body(encodeHashes(r, hashes.slice(1))))).toThrow(/130 hashes/)
    expect(() => decodeHashes(body(msg).subarray(0, 60))).toThrow(/bytes/)
    expect(() => decodeHashRequest(body(req).subarray(0, 47))).toThrow(/47 bytes/)
  })

  it('answers the piece layer in 512-hash chunks and leaf hashes within a piece, with proofs to the root', async () => {
    // 600 pieces of 16 KiB: the piece layer is the leaf layer, 1024 wide, asked as 512 + 128.
    const big = makeTorrent([['f.bin', randomBytes(600 * 16384 - 100)]], 'v2', 16384)
    const root = rootOf(big, 'f.bin')
    const layer = layerHashes(big.pieceLayers.get(Buffer.from(root).toString('hex')) as Uint8Array)
    const src = new HashSource(MemoryStorage.seed(layoutFromInfo(big.info), big.files))
    const a = await src.answer({ piecesRoot: root, base: 0, index: 0, length: 512, proofLayers: 9 })
    const b = await src.answer({ piecesRoot: root, base: 0, index: 512, length: 128, proofLayers: 9 })
    if (!('hashes' in a) || !('hashes' in b)) throw new Error('rejected')
    expect(a.hashes).toHaveLength(513)
    expect(b.hashes).toHaveLength(128 + 3)
    expect(a.hashes.slice(0, 512)).toEqual(layer.slice(0, 512))
    expect(b.hashes.slice(0, 88)).toEqual(layer.slice(512))
    expect(b.hashes.slice(88, 128).every((h) => h.equals(Buffer.alloc(32)))).toBe(true)
    expect(verifyHashes(root, 10, 0, 0, 512, 9, a.hashes)).toBe(true)
    expect(verifyHashes(root, 10, 0, 512, 128, 9, b.hashes)).toBe(true)
    b.hashes[130] = randomBytes(32)
    expect(verifyHashes(root, 10, 0, 512, 128, 9, b.hashes)).toBe(false)

    // 32 KiB pieces: the piece layer sits at height 1, leaves below it are hashed from one piece.
    const t = v2Torrent()
    const r2 = rootOf(t, 'big.bin')
    const data = t.files.get('big.bin') as Uint8Array
    const src2 = new HashSource(MemoryStorage.seed(layoutFromInfo(t.info), t.files))
    const pieceLayer = await src2.answer({ piecesRoot: r2, base: 1, index: 0, length: 16, proofLayers: 3 })
    if (!('hashes' in pieceLayer)) throw new Error('rejected')
    expect(Buffer.concat(pieceLayer.hashes.slice(0, 10))).toEqual(
      Buffer.from(t.pieceLayers.get(Buffer.from(r2).toString('hex')) as Uint8Array),
    )
    expect(pieceLayer.hashes.slice(10).every((h) => h.equals(padHash(1)))).toBe(true)
    const leaves = await src2.answer({ piecesRoot: r2, base: 0, index: 4, length: 2, proofLayers: 4 })
    if (!('hashes' in leaves)) throw new Error('rejected')
    expect(leaves.hashes.slice(0, 2)).toEqual([
      sha256(data.subarray(4 * 16384, 5 * 16384)),
      sha256(data.subarray(5 * 16384, 6 * 16384)),
    ])
    expect(verifyHashes(r2, 5, 0, 4, 2, 4, leaves.hashes)).toBe(true)
  })

  it('merkle trees are cached within a byte budget: the newest is kept, older ones rebuilt on demand', async () => {
    const t = v2Torrent()
    const cache = new TreeCache(100)
    const src = new HashSource(MemoryStorage.seed(layoutFromInfo(t.info), t.files), undefined, cache)
    const big = { piecesRoot: rootOf(t, 'big.bin'), base: 1, index: 0, length: 16, proofLayers: 3 }
    const mid = { piecesRoot: rootOf(t, 'dir/mid.bin'), base: 1, index: 0, length: 4, proofLayers: 1 }
    expect('hashes' in (await src.answer(big))).toBe(true)
    expect(cache.cachedBytes).toBe((10 + 5 + 3 + 2 + 1) * 32) // big.bin's tree from its piece layer up
    expect('hashes' in (await src.answer(mid))).toBe(true)
    expect(cache.cachedBytes).toBe((4 + 2 + 1) * 32) // big.bin's evicted
    const again = await src.answer(big)
    if (!('hashes' in again)) throw new Error('rejected')
    expect(verifyHashes(big.piecesRoot, 5, 1, 0, 16, 3, again.hashes)).toBe(true)
    expect(cache.cachedBytes).toBe((10 + 5 + 3 + 2 + 1) * 32)
  })

  for (const withLayers of [true, false]) {
    it(`downloads a v2-only torrent without piece layers from our server (server ${withLayers ? 'given the layers' : 'hashing its files'})`, async () => {
      const t = v2Torrent()
      const { server, port } = await seed(t, withLayers)
      const res = await downloadPieces({
        info: t.info,
        peers: [{ host: '127.0.0.1', port }],
        timeoutMs: 10_000,
      })
      for (const [path, d] of t.files)
        expect(Buffer.from((res.storage as MemoryStorage).file(path) ?? []).equals(Buffer.from(d))).toBe(true)
      expect(res.badPieces).toBe(0)
      expect(res.badHashes).toBe(0)
      expect(res.hashesFetched).toBe(2) // big.bin and dir/mid.bin
      expect(new Map([...res.pieceLayers].map(([k, v]) => [k, Buffer.from(v)]))).toEqual(
        new Map([...t.pieceLayers].map(([k, v]) => [k, Buffer.from(v)])),
      )
      expect(server.stats.hashRequestsServed).toBe(2)
      expect(server.stats.hashRequestsRejected).toBe(0)
    })
  }

  it('a peer answering with forged hashes is dropped and nothing it sent is stored', async () => {
    const t = v2Torrent()
    // The liar has other data and answers every hash request with random hashes of the right count.
    const junk = new Map([...t.files].map(([p, d]) => [p, randomBytes(d.length)]))
    const forge = (r: HashRequest): Buffer =>
      encodeHashes(
        r,
        Array.from({ length: r.length + uncleCount(r.length, r.proofLayers) }, () => randomBytes(32)),
      )
    const liar = await scriptedSeed(t, forge, junk)
    cleanups.push(() => liar.close())
    const storage = MemoryStorage.empty(layoutFromInfo(t.info))
    await expect(
      downloadPieces({
        info: t.info,
        peers: [{ host: '127.0.0.1', port: liar.port }],
        storage,
        timeoutMs: 5000,
      }),
    ).rejects.toMatchObject({
      code: 'ERR_NO_PEERS',
      message: expect.stringMatching(/hashes failed verification/),
    })
    expect(liar.hashRequests.length).toBeGreaterThan(0)
    // Only dir/small.txt (one piece, checked against its root) could have been taken, and it was not:
    // the liar's bytes fail that check too.
    const l = layoutFromInfo(t.info)
    for (let i = 0; i < l.pieceCount; i++) expect(storage.has(i), `piece ${i}`).toBe(false)

    // The liar first (one peer at a time), then an honest seed: the download completes, badHashes 1.
    const { port } = await seed(t, false)
    const res = await downloadPieces({
      info: t.info,
      peers: [
        { host: '127.0.0.1', port: liar.port },
        { host: '127.0.0.1', port },
      ],
      maxPeers: 1,
      timeoutMs: 10_000,
    })
    expect(res.badHashes).toBe(1)
    for (const [path, d] of t.files)
      expect(Buffer.from((res.storage as MemoryStorage).file(path) ?? []).equals(Buffer.from(d))).toBe(true)
  })

  it('a hashes message with the wrong number of hashes closes that peer', async () => {
    const t = v2Torrent()
    const short = await scriptedSeed(t, (r) => encodeHashes(r, [randomBytes(32)]))
    cleanups.push(() => short.close())
    await expect(
      downloadPieces({ info: t.info, peers: [{ host: '127.0.0.1', port: short.port }], timeoutMs: 5000 }),
    ).rejects.toMatchObject({
      code: 'ERR_NO_PEERS',
      message: expect.stringMatching(/hashes message with 1 hashes/),
    })
  })

  it('hash rejects and silence: the download fails fast with a clear reason, or completes with an honest peer', async () => {
    const t = v2Torrent()
    const rejecter = await scriptedSeed(t, (r) => encodeHashReject(r))
    const silent = await scriptedSeed(t, () => undefined)
    cleanups.push(
      () => rejecter.close(),
      () => silent.close(),
    )
    const started = Date.now()
    await expect(
      downloadPieces({
        info: t.info,
        peers: [{ host: '127.0.0.1', port: rejecter.port }],
        timeoutMs: 10_000,
      }),
    ).rejects.toMatchObject({
      code: 'ERR_NO_PEERS',
      message: expect.stringMatching(/no peer gave the piece layer/),
    })
    expect(Date.now() - started).toBeLessThan(5000)
    // Silence: each hash request times out after pieceTimeoutMs, then the same reason.
    await expect(
      downloadPieces({
        info: t.info,
        peers: [{ host: '127.0.0.1', port: silent.port }],
        pieceTimeoutMs: 200,
        timeoutMs: 10_000,
      }),
    ).rejects.toMatchObject({
      code: 'ERR_NO_PEERS',
      message: expect.stringMatching(/no peer gave the piece layer/),
    })
    const { port } = await seed(t, true)
    const res = await downloadPieces({
      info: t.info,
      peers: [
        { host: '127.0.0.1', port: rejecter.port },
        { host: '127.0.0.1', port: silent.port },
        { host: '127.0.0.1', port },
      ],
      pieceTimeoutMs: 500,
      timeoutMs: 10_000,
    })
    expect(res.hashesFetched).toBe(2)
    for (const [path, d] of t.files)
      expect(Buffer.from((res.storage as MemoryStorage).file(path) ?? []).equals(Buffer.from(d))).toBe(true)
  })

  it('hostile hash requests get hash rejects and are counted; the connection keeps working; malformed closes it', async () => {
    const t = v2Torrent()
    const rejects: string[] = []
    const server = new PieceServer({ onHashReject: (why) => rejects.push(why) })
    server.add(t.info, MemoryStorage.seed(layoutFromInfo(t.info), t.files))
    const { port } = await server.listen(0, '127.0.0.1')
    cleanups.push(() => server.close())
    const root = rootOf(t, 'big.bin') // depth 5, piece layer at height 1 (16 wide)
    const c = rawClient(port, layoutFromInfo(t.info).infoHash)
    cleanups.push(() => void c.socket.destroy())
    await c.handshake
    const hostile: HashRequest[] = [
      { piecesRoot: randomBytes(32), base: 1, index: 0, length: 16, proofLayers: 3 }, // unknown root
      { piecesRoot: root, base: 9, index: 0, length: 2, proofLayers: 0 }, // no such layer
      { piecesRoot: root, base: 1, index: 16, length: 2, proofLayers: 3 }, // past the layer
      { piecesRoot: root, base: 1, index: 0, length: 0x80000000, proofLayers: 3 }, // huge length
      { piecesRoot: root, base: 1, index: 1, length: 2, proofLayers: 3 }, // not aligned
      { piecesRoot: root, base: 1, index: 0, length: 2, proofLayers: 4 }, // proof past the root
      { piecesRoot: root, base: 0, index: 0, length: 32, proofLayers: 4 }, // leaves over 16 pieces
      { piecesRoot: root, base: 0xffffffff, index: 0xffffffff, length: 0xffffffff, proofLayers: 0xffffffff },
    ]
    for (const r of hostile) c.socket.write(encodeHashRequest(r))
    const good: HashRequest = { piecesRoot: root, base: 1, index: 0, length: 16, proofLayers: 3 }
    c.socket.write(encodeHashRequest(good))
    const answer = await c.next((m) => m.id === MSG.hashes)
    const got = c.messages.filter((m) => m.id === MSG.hashReject).map((m) => decodeHashRequest(m.payload))
    expect(got).toEqual(hostile.map((r) => ({ ...r, piecesRoot: new Uint8Array(r.piecesRoot) })))
    const hashes = decodeHashes(answer.payload)
    expect(verifyHashes(root, 5, 1, 0, 16, 3, hashes.hashes)).toBe(true)
    expect(server.stats).toMatchObject({ hashRequestsRejected: 8, hashRequestsServed: 1, protocolErrors: 0 })
    expect(rejects).toHaveLength(8)
    // A hash request of the wrong size is a protocol error: the connection is closed.
    c.socket.write(encodeMessage(MSG.hashRequest, randomBytes(47)))
    await c.closed
    expect(server.stats.protocolErrors).toBe(1)
  })

  it('handshake bits: v2 set for v2 and hybrid, hybrid upgraded to its v2 hash on request, v1 untouched', async () => {
    const files = (): [string, Uint8Array][] => [['a.bin', randomBytes(40_000)]]
    const server = new PieceServer()
    const v1 = makeTorrent(files(), 'v1')
    const v2 = makeTorrent(files(), 'v2')
    const hy = makeTorrent(files(), 'hybrid')
    for (const t of [v1, v2, hy]) server.add(t.info, MemoryStorage.seed(layoutFromInfo(t.info), t.files))
    const { port } = await server.listen(0, '127.0.0.1')
    cleanups.push(() => server.close())
    const hs = async (ih: Uint8Array, bit: boolean): Promise<{ v2: boolean; infoHash: Buffer }> => {
      const c = rawClient(port, ih, bit)
      cleanups.push(() => void c.socket.destroy())
      const h = await c.handshake
      return { v2: h.v2, infoHash: Buffer.from(h.infoHash) }
    }
    const hyV2 = sha256(hy.info).subarray(0, 20)
    expect(await hs(v1.infoHash, true)).toEqual({ v2: false, infoHash: v1.infoHash })
    expect(await hs(v2.infoHash, false)).toEqual({ v2: true, infoHash: v2.infoHash })
    expect(await hs(hy.infoHash, false)).toEqual({ v2: true, infoHash: hy.infoHash })
    expect(await hs(hy.infoHash, true)).toEqual({ v2: true, infoHash: hyV2 })
    expect(await hs(hyV2, false)).toEqual({ v2: true, infoHash: hyV2 })
    expect(server.stats.v2Upgrades).toBe(1)
    // A v1 torrent has no merkle trees: any hash request for it is rejected, not answered.
    const c = rawClient(port, v1.infoHash)
    cleanups.push(() => void c.socket.destroy())
    await c.handshake
    const r: HashRequest = { piecesRoot: randomBytes(32), base: 0, index: 0, length: 2, proofLayers: 0 }
    c.socket.write(encodeHashRequest(r))
    expect(decodeHashRequest((await c.next((m) => m.id === MSG.hashReject)).payload)).toEqual({
      ...r,
      piecesRoot: new Uint8Array(r.piecesRoot),
    })
    expect(server.stats.hashRequestsRejected).toBe(1)
  })

  it('our downloader answers a peer’s hash request with a hash reject', async () => {
    const t = v2Torrent()
    const probe: HashRequest = {
      piecesRoot: rootOf(t, 'big.bin'),
      base: 1,
      index: 0,
      length: 16,
      proofLayers: 3,
    }
    // A seed that answers our hash requests with a hash request of its own.
    const asker = await scriptedSeed(t, () => encodeHashRequest(probe))
    cleanups.push(() => asker.close())
    await expect(
      downloadPieces({
        info: t.info,
        peers: [{ host: '127.0.0.1', port: asker.port }],
        pieceTimeoutMs: 300,
        timeoutMs: 5000,
      }),
    ).rejects.toMatchObject({ code: 'ERR_NO_PEERS' })
    const rejects = asker.received
      .filter((m) => m.id === MSG.hashReject)
      .map((m) => decodeHashRequest(m.payload))
    expect(rejects.length).toBeGreaterThan(0)
    expect(rejects[0]).toEqual({ ...probe, piecesRoot: new Uint8Array(probe.piecesRoot) })
  })
})
