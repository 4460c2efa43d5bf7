// File-level cross-seeding over loopback, ours against ours: torrent A's data serves torrent B's shared
// file (different piece lengths, so B's piece layer is computed from A's bytes), B's other file is
// never advertised and requests for it are refused, and bytes that stop matching the pieces root are
// not sent. libtorrent leeching B is in cross-seed-libtorrent.test.ts.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MSG } from '../src/constants.js'
import {
  CrossSeedStorage,
  diskFileSource,
  downloadPieces,
  fileSourcesOf,
  layoutFromInfo,
  MemoryStorage,
  PieceServer,
  piecesOfFile,
  type LayoutFile,
  type TorrentLayout,
} from '../src/pieces/index.js'
import { decodeHashes, encodeHashRequest, encodeMessage, encodeRequest } from '../src/pieces/messages.js'
import { rawClient } from './helpers/pieces-peer.js'
import { makeTorrent, type TestTorrent } from './helpers/pieces-torrent.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

const shared = randomBytes(150_000) // 10 pieces in A (16 KiB), 5 in B (32 KiB)
const onlyA = randomBytes(40_000)
const onlyB = randomBytes(70_000)
const torrentA = (): TestTorrent =>
  makeTorrent(
    [
      ['a-only.bin', onlyA],
      ['shared.bin', Buffer.from(shared)],
    ],
    'v2',
    16384,
  )
const torrentB = (version: 'v2' | 'hybrid'): TestTorrent =>
  makeTorrent(
    [
      ['b-only.bin', onlyB],
      ['shared.bin', Buffer.from(shared)],
    ],
    version,
    32768,
  )
const fileOf = (l: TorrentLayout, path: string): LayoutFile =>
  l.files.find((f) => !f.pad && Buffer.from(f.path[0] ?? []).toString() === path) as LayoutFile
const bit = (bitfield: Buffer, i: number): boolean => ((bitfield[i >> 3] as number) & (0x80 >> (i & 7))) !== 0

async function crossSeed(
  b: TestTorrent,
  a = torrentA(),
): Promise<{ server: PieceServer; port: number; storage: CrossSeedStorage; a: TestTorrent }> {
  const storage = await CrossSeedStorage.open(
    layoutFromInfo(b.info),
    fileSourcesOf(MemoryStorage.seed(layoutFromInfo(a.info), a.files)),
  )
  const server = new PieceServer()
  server.add(b.info, storage, { pieceLayers: storage.pieceLayers })
  const { port } = await server.listen(0, '127.0.0.1')
  cleanups.push(() => server.close())
  return { server, port, storage, a }
}

describe('cross-seeding a file of another torrent', () => {
  for (const version of ['v2', 'hybrid'] as const) {
    it(`serves the shared file of a ${version} torrent B from torrent A's data only`, async () => {
      const b = torrentB(version)
      const { port, storage, server } = await crossSeed(b)
      expect(storage.files.map((f) => [f.path, f.state])).toEqual([
        ['b-only.bin', 'missing'],
        ['shared.bin', 'held'],
      ])
      const lb = layoutFromInfo(b.info)
      const wanted = piecesOfFile(lb, fileOf(lb, 'shared.bin'))
      // No piece layers given: for v2-only B our downloader asks the cross-seeder for them (BEP 52).
      const res = await downloadPieces({ info: b.info, peers: [{ host: '127.0.0.1', port }], pieces: wanted })
      expect(Buffer.from((res.storage as MemoryStorage).file('shared.bin') ?? []).equals(shared)).toBe(true)
      expect(res.badPieces).toBe(0)
      if (version === 'v2') {
        expect(res.hashesFetched).toBeGreaterThan(0)
        const root = Buffer.from(fileOf(lb, 'shared.bin').piecesRoot as Uint8Array).toString('hex')
        expect(res.pieceLayers.get(root)?.length).toBe(5 * 32) // B's layer, from A's 16 KiB-piece data
      }
      expect(storage.stats).toMatchObject({ piecesVerified: wanted.length, verifyFailures: 0 })
      expect(server.stats).toMatchObject({ protocolErrors: 0, verifyFailures: 0 })
    })
  }

  it('advertises only the shared pieces and refuses requests and hash requests for the rest', async () => {
    const b = torrentB('v2')
    const { port, server } = await crossSeed(b)
    const lb = layoutFromInfo(b.info)
    const mine = fileOf(lb, 'shared.bin')
    const theirs = fileOf(lb, 'b-only.bin')
    const c = rawClient(port, lb.infoHash, true)
    cleanups.push(() => void c.socket.destroy())
    const bf = (await c.next((m) => m.id === MSG.bitfield)).payload
    for (const i of piecesOfFile(lb, mine)) expect(bit(bf, i), `piece ${i}`).toBe(true)
    for (const i of piecesOfFile(lb, theirs)) expect(bit(bf, i), `piece ${i}`).toBe(false)
    // Piece layer of the shared file: answered; of the file we lack: hash reject.
    const ask = (root: Uint8Array): void =>
      void c.socket.write(
        encodeHashRequest({ piecesRoot: root, base: 1, index: 0, length: 8, proofLayers: 2 }),
      )
    ask(mine.piecesRoot as Uint8Array)
    const hashes = decodeHashes((await c.next((m) => m.id === MSG.hashes)).payload)
    expect(Buffer.from(hashes.piecesRoot).equals(mine.piecesRoot as Uint8Array)).toBe(true)
    ask(theirs.piecesRoot as Uint8Array)
    await c.next((m) => m.id === MSG.hashReject)
    expect(server.stats).toMatchObject({ hashRequestsServed: 1, hashRequestsRejected: 1 })
    // A block of the file we lack: the connection is closed and counted, no piece sent.
    c.socket.write(encodeMessage(MSG.interested))
    c.socket.write(encodeRequest(piecesOfFile(lb, theirs)[0] as number, 0, 16384))
    await c.closed
    expect(c.messages.some((m) => m.id === MSG.piece)).toBe(false)
    expect(server.stats.protocolErrors).toBe(1)
  })

  it('does not send data that stopped matching the pieces root, and stops advertising it', async () => {
    const b = torrentB('v2')
    const a = torrentA()
    const { port, server, storage } = await crossSeed(b, a)
    const lb = layoutFromInfo(b.info)
    const first = piecesOfFile(lb, fileOf(lb, 'shared.bin'))[0] as number
    // The disk changes under us after the file was verified (MemoryStorage keeps the arrays given).
    const onDisk = a.files.get('shared.bin') as Uint8Array
    onDisk[5] = (onDisk[5] as number) ^ 0xff
    const c = rawClient(port, lb.infoHash, true)
    const other = rawClient(port, lb.infoHash, true) // told it too, before the failure
    cleanups.push(
      () => void c.socket.destroy(),
      () => void other.socket.destroy(),
    )
    expect(bit((await c.next((m) => m.id === MSG.bitfield)).payload, first)).toBe(true)
    expect(bit((await other.next((m) => m.id === MSG.bitfield)).payload, first)).toBe(true)
    c.socket.write(encodeRequest(first, 0, 16384))
    await c.closed
    expect(c.messages.some((m) => m.id === MSG.piece)).toBe(false)
    expect(server.stats).toMatchObject({ verifyFailures: 1, protocolErrors: 0, piecesServed: 0 })
    // The other peer asking for it is closed too, not blamed: we advertised the piece to it.
    other.socket.write(encodeRequest(first, 0, 16384))
    await other.closed
    expect(other.messages.some((m) => m.id === MSG.piece)).toBe(false)
    expect(server.stats).toMatchObject({ verifyFailures: 1, protocolErrors: 0 })
    expect(storage.stats).toMatchObject({ verifyFailures: 1 })
    expect(storage.has(first)).toBe(false)
    // Reconnecting, the peer sees we no longer have it; the next piece is still served.
    const d = rawClient(port, lb.infoHash, true)
    cleanups.push(() => void d.socket.destroy())
    const bf = (await d.next((m) => m.id === MSG.bitfield)).payload
    expect([bit(bf, first), bit(bf, first + 1)]).toEqual([false, true])
    d.socket.write(encodeRequest(first + 1, 0, 16384))
    await d.next((m) => m.id === MSG.piece)
  })

  it('leaves a file whose source fails the pieces root unadvertised (mismatch), and reads plain files', async () => {
    const bad = torrentA()
    const badBytes = bad.files.get('shared.bin') as Uint8Array
    badBytes[100_000] = (badBytes[100_000] as number) ^ 1
    const b = torrentB('hybrid')
    const lb = layoutFromInfo(b.info)
    const mismatched = await CrossSeedStorage.open(
      lb,
      fileSourcesOf(MemoryStorage.seed(layoutFromInfo(bad.info), bad.files)),
    )
    expect(mismatched.files.find((f) => f.path === 'shared.bin')?.state).toBe('mismatch')
    expect(Array.from({ length: lb.pieceCount }, (_, i) => mismatched.has(i)).some(Boolean)).toBe(false)

    const dir = mkdtempSync(join(tmpdir(), 'bbmesh-xseed-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'copy.bin'), shared)
    const f = fileOf(lb, 'shared.bin')
    const fromDisk = await CrossSeedStorage.open(lb, [
      diskFileSource(join(dir, 'copy.bin'), f.piecesRoot as Uint8Array, shared.length),
    ])
    expect(fromDisk.files.find((x) => x.path === 'shared.bin')).toMatchObject({ state: 'held' })
    const p = piecesOfFile(lb, f)[0] as number
    expect(Buffer.from(await fromDisk.read(p, 0, 100)).equals(shared.subarray(0, 100))).toBe(true)
    await expect(fromDisk.write()).rejects.toMatchObject({ code: 'ERR_STORAGE' })
  })
})
