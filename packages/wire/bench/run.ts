// `pnpm bench`: metadata fetches/s from a local seed at 1, 16 and 128 concurrent connections, ours vs a
// stock bittorrent-protocol + ut_metadata fetch loop in the same run, and memory per open connection.
// Small by default (1.5 s per level, 500 idle connections); BENCH_SECONDS and BENCH_IDLE scale it up.
// Writes bench/results/metadata.{json,md}. Nothing is asserted; the numbers are reported.
import Wire from 'bittorrent-protocol'
import { createHash, randomBytes } from 'node:crypto'
import { writeFileSync, mkdirSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import utMetadata from 'ut_metadata'
import {
  MetadataServer,
  MetadataStore,
  PeerHost,
  bencode,
  createMetadataExtension,
  dict,
  fetchMetadata,
} from '../src/index.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5)
const IDLE = Number(process.env.BENCH_IDLE ?? 500)
const LEVELS = [1, 16, 128]
const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, '..', '..', 'bench', 'results')

// A v1 info dict of ~40 KB: three 16 KiB metadata pieces per fetch.
const info = bencode(
  dict({
    name: Buffer.from('bench.bin'),
    'piece length': 16384,
    length: 2000 * 16384,
    pieces: randomBytes(2000 * 20),
  }),
)
const infoHash = createHash('sha1').update(info).digest()
const big = 100_000

interface StockWire {
  use(e: unknown): void
  handshake(i: Uint8Array, p: Uint8Array, e: object): void
  ut_metadata: { fetch(): void; on(e: string, f: (m: Uint8Array) => void): void }
  on(e: string, f: () => void): void
}

function stockFetchOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1')
    // Same socket option as ours, so Nagle's delay does not decide the comparison.
    socket.setNoDelay(true)
    const wire = new Wire() as unknown as StockWire
    ;(socket as unknown as { pipe(d: unknown): { pipe(d: Socket): void } }).pipe(wire).pipe(socket)
    socket.on('error', reject)
    wire.use(utMetadata())
    wire.ut_metadata.fetch()
    wire.ut_metadata.on('metadata', () => {
      socket.destroy()
      resolve()
    })
    wire.handshake(infoHash, randomBytes(20), {})
  })
}

async function loop(
  concurrency: number,
  once: () => Promise<unknown>,
): Promise<{ fetches: number; perSecond: number; errors: number }> {
  const end = Date.now() + SECONDS * 1000
  let fetches = 0
  let errors = 0
  const started = Date.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        try {
          await once()
          fetches++
        } catch {
          errors++
        }
      }
    }),
  )
  const secs = (Date.now() - started) / 1000
  return { fetches, perSecond: Math.round(fetches / secs), errors }
}

function gc(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

async function memory(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 50))
    gc()
  }
  const m = process.memoryUsage()
  return m.heapUsed + m.external + m.arrayBuffers
}

async function idleMemory(port: number): Promise<{ ours: number; stock: number }> {
  const client = new PeerHost({
    maxConnections: big,
    maxConnectionsPerIp: big,
    limits: { idleTimeoutMs: 600_000 },
  })
  client.registry.register(createMetadataExtension())
  const base = await memory()
  const conns = await Promise.all(
    Array.from({ length: IDLE }, () => client.connect({ host: '127.0.0.1', port }, infoHash)),
  )
  await new Promise((r) => setTimeout(r, 300))
  const ours = ((await memory()) - base) / (2 * IDLE)
  for (const c of conns) c.close()
  await client.close()
  await new Promise((r) => setTimeout(r, 300))
  const base2 = await memory()
  const sockets: Socket[] = []
  for (let i = 0; i < IDLE; i++) {
    const socket = connect(port, '127.0.0.1')
    const wire = new Wire() as unknown as StockWire
    ;(socket as unknown as { pipe(d: unknown): { pipe(d: Socket): void } }).pipe(wire).pipe(socket)
    wire.use(utMetadata())
    wire.handshake(infoHash, randomBytes(20), {})
    sockets.push(socket)
  }
  await new Promise((r) => setTimeout(r, 300))
  // The server side of these pairs is ours in both cases; the difference is the client wire.
  const stock = ((await memory()) - base2) / (2 * IDLE)
  for (const s of sockets) s.destroy()
  return { ours: Math.round(ours), stock: Math.round(stock) }
}

async function main(): Promise<void> {
  const store = new MetadataStore()
  store.addInfo(info)
  const server = new MetadataServer({ lookup: store, maxConnections: big, maxConnectionsPerIp: big })
  const { port } = await server.listen()
  const client = new PeerHost({ maxConnections: big, maxConnectionsPerIp: big })
  client.registry.register(createMetadataExtension())
  const peers = [{ host: '127.0.0.1', port }]
  // Memory first, before the fetch loops leave garbage behind.
  const mem = await idleMemory(port)
  const rows: {
    concurrency: number
    ours: Awaited<ReturnType<typeof loop>>
    stock: Awaited<ReturnType<typeof loop>>
  }[] = []
  for (const c of LEVELS) {
    const ours = await loop(c, () => fetchMetadata({ infoHash, peers, host: client, timeoutMs: 10_000 }))
    const stock = await loop(c, () => stockFetchOnce(port))
    rows.push({ concurrency: c, ours, stock })
    console.error(`c=${c} ours ${ours.perSecond}/s stock ${stock.perSecond}/s`)
  }
  await client.close()
  await server.close()
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    secondsPerLevel: SECONDS,
    metadataBytes: info.length,
    seed: 'MetadataServer (ours) on 127.0.0.1, same process',
    fetches: rows,
    idleConnections: IDLE,
    bytesPerConnectionEndpoint: mem,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  }
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, 'metadata.json'), JSON.stringify(result, null, 2) + '\n')
  const md = [
    `# @bbmesh/wire metadata benchmark`,
    ``,
    `${result.date}, Node ${result.node}, ${SECONDS} s per level, info dict ${info.length} bytes (${Math.ceil(info.length / 16384)} BEP-9 pieces), seed: ${result.seed}. Each fetch is a new TCP connection: handshake, extended handshake, all pieces, SHA-1 check.`,
    ``,
    `| concurrent connections | ours fetches/s | stock fetches/s | ours errors | stock errors |`,
    `| ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map(
      (r) =>
        `| ${r.concurrency} | ${r.ours.perSecond} | ${r.stock.perSecond} | ${r.ours.errors} | ${r.stock.errors} |`,
    ),
    ``,
    `Memory per open, handshaken, idle connection endpoint (heap + external + array buffers, both ends in this process, divided by 2 x ${IDLE}): ours ${mem.ours} bytes; with a stock bittorrent-protocol + ut_metadata client wire instead of ours on one end: ${mem.stock} bytes.`,
    ``,
  ].join('\n')
  writeFileSync(join(resultsDir, 'metadata.md'), md)
  console.log(md)
}

await main()
