import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Wire from 'bittorrent-protocol'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DiskStorage,
  MemoryStorage,
  PieceServer,
  downloadPieces,
  layoutFromInfo,
  type PieceStorage,
} from '../src/pieces/index.js'
import { fetchMetadata } from '../src/index.js'
import { makeTorrent, type TestTorrent } from './helpers/pieces-torrent.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

const files = (): [string, Uint8Array][] => [
  ['a/big.bin', randomBytes(40_000)],
  ['a/empty', new Uint8Array(0)],
  ['b/small.txt', randomBytes(100)],
  ['c.dat', randomBytes(20_000)],
]

async function seed(t: TestTorrent, storage?: PieceStorage): Promise<{ server: PieceServer; port: number }> {
  const server = new PieceServer()
  server.add(t.info, storage ?? MemoryStorage.seed(layoutFromInfo(t.info), t.files))
  const { port } = await server.listen(0, '127.0.0.1')
  cleanups.push(() => server.close())
  return { server, port }
}

function expectFiles(storage: PieceStorage, t: TestTorrent): void {
  const mem = storage as MemoryStorage
  for (const [path, data] of t.files)
    if (data.length) expect(Buffer.from(mem.file(path) ?? []).equals(Buffer.from(data)), path).toBe(true)
}

/** Stock bittorrent-protocol surface used below (their .d.ts in src/adapter declares only part of it). */
interface StockWire {
  handshake(i: Uint8Array, p: Uint8Array, e?: object): void
  bitfield(b: Uint8Array): void
  unchoke(): void
  interested(): void
  request(
    index: number,
    offset: number,
    length: number,
    cb: (err: Error | null, block?: Uint8Array) => void,
  ): void
  on(e: string, f: (...a: never[]) => void): void
  destroy(): void
}
const stockWire = (): StockWire => new Wire() as unknown as StockWire
const pipe = (socket: Socket, wire: StockWire): void =>
  void (socket as unknown as { pipe(d: unknown): { pipe(d: Socket): void } }).pipe(wire).pipe(socket)

/** A stock bittorrent-protocol seed answering requests after `delayMs`; reports the most requests it had waiting. */
async function stockSeed(t: TestTorrent, delayMs = 0): Promise<{ port: number; maxOutstanding(): number }> {
  const layout = layoutFromInfo(t.info)
  const src = MemoryStorage.seed(layout, t.files)
  let outstanding = 0
  let max = 0
  const server: Server = createServer((socket) => {
    const wire = stockWire()
    pipe(socket, wire)
    wire.on('handshake', () => {
      wire.handshake(t.infoHash, randomBytes(20))
      const bits = new Uint8Array(Math.ceil(layout.pieceCount / 8)).fill(0xff)
      bits[bits.length - 1] = (0xff << (8 - (layout.pieceCount % 8 || 8))) & 0xff
      wire.bitfield(bits)
      wire.unchoke()
    })
    wire.on('request', ((
      index: number,
      offset: number,
      length: number,
      respond: (e: null, b: Uint8Array) => void,
    ) => {
      max = Math.max(max, ++outstanding)
      setTimeout(() => {
        void src.read(index, offset, length).then((b) => {
          outstanding--
          respond(null, b)
        })
      }, delayMs)
    }) as never)
    socket.on('error', () => undefined)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())))
  return { port: (server.address() as { port: number }).port, maxOutstanding: () => max }
}

describe('piece transfer', () => {
  for (const version of ['v1', 'hybrid', 'v2'] as const) {
    it(`${version}: ours → ours, verified, pads never fetched`, async () => {
      const t = makeTorrent(files(), version)
      const { port } = await seed(t)
      const progress: number[] = []
      const res = await downloadPieces({
        info: t.info,
        peers: [{ host: '127.0.0.1', port }],
        pieceLayers: t.pieceLayers,
        onProgress: (p) => progress.push(p.piecesDone),
      })
      expectFiles(res.storage, t)
      expect(res.bytesFetched).toBe(t.payloadBytes)
      expect(res.badPieces).toBe(0)
      expect(progress.at(-1)).toBe(layoutFromInfo(t.info).pieceCount)
    })
  }

  it('a piece layer that does not hash to its pieces root is refused up front', async () => {
    const t = makeTorrent(files(), 'v2')
    const forged = new Map([...t.pieceLayers].map(([k, v]) => [k, randomBytes(v.length)]))
    await expect(downloadPieces({ info: t.info, peers: [], pieceLayers: forged })).rejects.toMatchObject({
      code: 'ERR_BAD_INFO',
    })
  })

  it('a seed sending corrupt data is dropped; the honest one completes the download', async () => {
    const t = makeTorrent(files(), 'hybrid')
    const bad = new Map(t.files)
    const corrupt = new Uint8Array(bad.get('a/big.bin') as Uint8Array)
    corrupt[20_000] = (corrupt[20_000] ?? 0) ^ 0xff
    bad.set('a/big.bin', corrupt)
    const liar = await seed(t, MemoryStorage.seed(layoutFromInfo(t.info), bad))
    await expect(
      downloadPieces({ info: t.info, peers: [{ host: '127.0.0.1', port: liar.port }] }),
    ).rejects.toMatchObject({
      code: 'ERR_NO_PEERS',
      message: expect.stringMatching(/failed verification/),
    })
    const honest = await seed(t)
    const res = await downloadPieces({
      info: t.info,
      peers: [
        { host: '127.0.0.1', port: liar.port },
        { host: '127.0.0.1', port: honest.port },
      ],
      maxPiecesPerPeer: 1,
    })
    expectFiles(res.storage, t)
  })

  it('downloads from a stock bittorrent-protocol seed', async () => {
    const t = makeTorrent(files(), 'hybrid')
    const { port } = await stockSeed(t)
    const res = await downloadPieces({ info: t.info, peers: [{ host: '127.0.0.1', port }] })
    expectFiles(res.storage, t)
  })

  it('never has more pieces in flight than asked (the memory bound), with a slow stock seed', async () => {
    const t = makeTorrent([['big.bin', randomBytes(20 * 16384)]], 'v1')
    const seed = await stockSeed(t, 20)
    const res = await downloadPieces({
      info: t.info,
      peers: [{ host: '127.0.0.1', port: seed.port }],
      maxInFlightPieces: 3,
    })
    expectFiles(res.storage, t)
    expect(seed.maxOutstanding()).toBeGreaterThan(1)
    expect(seed.maxOutstanding()).toBeLessThanOrEqual(3)
  })

  for (const [pieceLength, size] of [
    [262144, 20 * 262144], // 16 pieces at once would be 256 requests
    [8 << 20, (8 << 20) + 300_000], // one piece is 512 blocks
  ] as const) {
    it(`${pieceLength >> 10} KiB pieces: a peer is never sent more block requests than our server's reqq (250)`, async () => {
      const t = makeTorrent([['big.bin', randomBytes(size)]], 'v2', pieceLength)
      const { server, port } = await seed(t)
      const res = await downloadPieces({
        info: t.info,
        peers: [{ host: '127.0.0.1', port }],
        pieceLayers: t.pieceLayers,
      })
      expectFiles(res.storage, t)
      expect(server.stats.protocolErrors).toBe(0)
    })
  }

  it('drops a peer that sends a block it was not asked for', async () => {
    const t = makeTorrent(files(), 'hybrid')
    const layout = layoutFromInfo(t.info)
    const server = createServer((socket) => {
      socket.on('error', () => undefined)
      let shook = false
      socket.on('data', () => {
        if (shook) {
          // Answer the first request with a block at an offset nobody asked for.
          const m = Buffer.alloc(13 + 100)
          m.writeUInt32BE(9 + 100, 0)
          m[4] = 7
          m.writeUInt32BE(0, 5)
          m.writeUInt32BE(5, 9)
          return void socket.write(m)
        }
        shook = true
        const hs = Buffer.concat([
          Buffer.from([19]),
          Buffer.from('BitTorrent protocol'),
          Buffer.alloc(8),
          t.infoHash,
          randomBytes(20),
        ])
        const bits = Buffer.alloc(Math.ceil(layout.pieceCount / 8), 0xff)
        bits[bits.length - 1] = (0xff << (8 - (layout.pieceCount % 8 || 8))) & 0xff
        const bf = Buffer.alloc(5)
        bf.writeUInt32BE(1 + bits.length, 0)
        bf[4] = 5
        socket.write(Buffer.concat([hs, bf, bits, Buffer.from([0, 0, 0, 1, 1])]))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())))
    const port = (server.address() as { port: number }).port
    await expect(
      downloadPieces({ info: t.info, peers: [{ host: '127.0.0.1', port }] }),
    ).rejects.toMatchObject({
      code: 'ERR_NO_PEERS',
      message: expect.stringMatching(/block outside what we asked for/),
    })
  })

  it('serves a stock bittorrent-protocol leecher, and BEP 9 metadata to our fetcher', async () => {
    const t = makeTorrent(files(), 'hybrid')
    const layout = layoutFromInfo(t.info)
    const { server, port } = await seed(t)
    const meta = await fetchMetadata({
      infoHash: t.infoHash,
      peers: [{ host: '127.0.0.1', port }],
      timeoutMs: 5000,
    })
    expect(Buffer.from(meta.info).equals(Buffer.from(t.info))).toBe(true)
    const socket = connect(port, '127.0.0.1')
    cleanups.push(() => void socket.destroy())
    const wire = stockWire()
    pipe(socket, wire)
    const unchoked = new Promise<void>((r) => wire.on('unchoke', r))
    wire.handshake(t.infoHash, randomBytes(20))
    wire.interested()
    await unchoked
    const pieces = await Promise.all(
      Array.from(
        { length: layout.pieceCount },
        (_, i) =>
          new Promise<Buffer>((resolve, reject) =>
            wire.request(
              i,
              0,
              Math.min(layout.pieceLength, layout.length - i * layout.pieceLength),
              (err, block) => (err ? reject(err) : resolve(Buffer.from(block as Uint8Array))),
            ),
          ),
      ),
    )
    pieces.forEach((p, i) => {
      expect(
        createHash('sha1')
          .update(p)
          .digest()
          .equals(Buffer.from(layout.v1Pieces?.subarray(i * 20, i * 20 + 20) ?? [])),
      ).toBe(true)
    })
    expect(server.stats.piecesServed).toBe(layout.pieceCount)
  })

  it('closes peers that break the rules and counts them; close() releases every connection', async () => {
    const t = makeTorrent(files(), 'hybrid')
    const { server, port } = await seed(t)
    const raw = async (bytes: Buffer[]): Promise<void> => {
      const s = connect(port, '127.0.0.1')
      s.on('error', () => undefined)
      s.resume() // read what the server sends, or 'close' would wait for us
      for (const b of bytes) s.write(b)
      await new Promise<void>((r) => s.on('close', () => r()))
    }
    const hs = (ih: Uint8Array): Buffer =>
      Buffer.concat([
        Buffer.from([19]),
        Buffer.from('BitTorrent protocol'),
        Buffer.alloc(8),
        ih,
        randomBytes(20),
      ])
    const req = (i: number, b: number, l: number): Buffer => {
      const m = Buffer.alloc(17)
      m.writeUInt32BE(13, 0)
      m[4] = 6
      m.writeUInt32BE(i, 5)
      m.writeUInt32BE(b, 9)
      m.writeUInt32BE(l, 13)
      return m
    }
    await raw([hs(randomBytes(20))]) // unknown torrent
    await raw([hs(t.infoHash), req(0, 0, 1 << 20)]) // oversized block
    await raw([hs(t.infoHash), req(999, 0, 16384)]) // no such piece
    await raw([Buffer.from('GET / HTTP/1.1\r\n\r\n'.padEnd(68, ' '))]) // not BitTorrent
    const huge = Buffer.alloc(4)
    huge.writeUInt32BE(1 << 30, 0)
    await raw([hs(t.infoHash), huge]) // length prefix far past the cap
    expect(server.stats.protocolErrors).toBe(5)
    const idle = connect(port, '127.0.0.1')
    idle.on('error', () => undefined)
    await new Promise<void>((r) => idle.on('connect', () => r()))
    const closed = new Promise<void>((r) => idle.on('close', () => r()))
    await server.close()
    await closed
    expect(server.stats.connections).toBe(0)
    await server.close()
  })

  it('seeds from disk and downloads to disk', async () => {
    const t = makeTorrent(files(), 'hybrid')
    const dir = await mkdtemp(join(tmpdir(), 'bbmesh-pieces-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    for (const [p, d] of t.files) {
      await mkdir(join(dir, 'src', p, '..'), { recursive: true })
      await writeFile(join(dir, 'src', p), d)
    }
    const layout = layoutFromInfo(t.info)
    const { port } = await seed(t, new DiskStorage(layout, join(dir, 'src'), true))
    await downloadPieces({
      info: t.info,
      peers: [{ host: '127.0.0.1', port }],
      storage: new DiskStorage(layout, join(dir, 'dst'), false),
    })
    for (const [p, d] of t.files)
      if (d.length) expect((await readFile(join(dir, 'dst', p))).equals(Buffer.from(d))).toBe(true)
  })

  it('gives up at the deadline when a peer never answers', async () => {
    const t = makeTorrent(files(), 'v1')
    const silent = createServer((s) => s.on('error', () => undefined))
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const socks: Socket[] = []
    silent.on('connection', (s) => socks.push(s))
    cleanups.push(
      () => new Promise<void>((r) => (socks.forEach((s) => s.destroy()), silent.close(() => r()))),
    )
    const port = (silent.address() as { port: number }).port
    await expect(
      downloadPieces({ info: t.info, peers: [{ host: '127.0.0.1', port }], timeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: 'ERR_PIECE_TIMEOUT',
    })
  })
})
