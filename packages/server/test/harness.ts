import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openIndex, type PooledIndex, type TorrentInput } from '@bbmesh/index'
import { createServer, type BbmeshServer, type ServerOptions } from '../src/index.js'

const GB = 1024 ** 3
const MB = 1024 ** 2

const ih = (n: number, len = 20): Uint8Array => new Uint8Array(len).fill(n)
export const hex = (n: number, len = 20): string => Buffer.from(ih(n, len)).toString('hex')

/** Real-style torrents, one per kind, with a hostile name to prove escaping. */
export const TORRENTS: TorrentInput[] = [
  {
    infohashV1: ih(1),
    name: 'The.Expanse.S03E07.1080p.WEB-DL.DD5.1.H264-NTb.mkv',
    files: [{ path: 'The.Expanse.S03E07.1080p.WEB-DL.DD5.1.H264-NTb.mkv', size: 2 * GB }],
    source: 'test',
  },
  {
    infohashV1: ih(2),
    name: 'The.Expanse.S03.720p.BluRay.x264-DEMAND',
    files: [
      { path: 'The.Expanse.S03.720p.BluRay.x264-DEMAND/The.Expanse.S03E01.720p.mkv', size: GB },
      { path: 'The.Expanse.S03.720p.BluRay.x264-DEMAND/The.Expanse.S03E02.720p.mkv', size: GB },
      { path: 'The.Expanse.S03.720p.BluRay.x264-DEMAND/Subs/English.srt', size: 50_000 },
    ],
    source: 'test',
  },
  {
    infohashV1: ih(3),
    infohashV2: ih(3, 32),
    name: 'Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP',
    files: [
      { path: 'Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP/dune.mkv', size: 30 * GB },
      { path: 'Dune.Part.Two.2024.2160p.UHD.BluRay.x265-GROUP/group.nfo', size: 3_000 },
    ],
    source: 'test',
  },
  {
    infohashV1: ih(4),
    name: 'ubuntu-24.04.1-desktop-amd64.iso',
    files: [{ path: 'ubuntu-24.04.1-desktop-amd64.iso', size: 6 * GB }],
    source: 'test',
  },
  {
    infohashV1: ih(5),
    name: 'Pink Floyd - The Dark Side of the Moon (1973) [FLAC]',
    files: ['Speak to Me', 'Breathe', 'Time'].map((t, i) => ({
      path: `Pink Floyd - The Dark Side of the Moon (1973) [FLAC]/0${i + 1} - ${t}.flac`,
      size: 60 * MB,
    })),
    source: 'test',
  },
  {
    infohashV2: ih(6, 32),
    name: '<script>alert("x")</script> & "quotes" ebook pack',
    files: [{ path: '<b>bold</b>/book.epub', size: 5 * MB }],
    source: 'test',
  },
]

export interface Harness {
  index: PooledIndex
  server: BbmeshServer
  url: string
  dir: string
  close(): Promise<void>
}

/** A real SQLite index in a temp dir, filled through ingest, served on 127.0.0.1 port 0. */
export async function startHarness(
  opts: Partial<Omit<ServerOptions, 'source'>> = {},
  torrents: TorrentInput[] = TORRENTS,
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'bbmesh-server-test-'))
  const index = await openIndex({ path: join(dir, 'index.db') })
  await index.ingest(torrents)
  const server = await createServer({ source: index, port: 0, rateLimit: false, ...opts })
  const url = await server.listen()
  return {
    index,
    server,
    url,
    dir,
    async close() {
      await server.close()
      await index.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** GET with a deadline, so no test waits forever on a hung server. */
export async function get(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
}

/**
 * A parsed JSON or XML reply, walked freely in assertions: a wrong path fails the expectation
 * that reads it, which is the check.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = any
