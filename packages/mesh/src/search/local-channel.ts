// The local channel to a running member's federated search: a unix socket (mode 0600, in the owner's
// data directory) that takes one JSON query line and streams back JSON lines, each batch of new hits
// as it arrives, then the result. `bbmesh search --community` uses it when a `crawl --community` for
// the same data directory is running, so a query rides that process's live member links.
import { chmod, unlink } from 'node:fs/promises'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { MeshError } from '../errors.js'
import type { CommunitySearchQuery, CommunitySearchResult, FederatedSearch } from './federated-search.js'
import type { CommunityHit } from './merge.js'

/** A query line is small; anything longer is not one. */
const MAX_REQUEST_BYTES = 16 * 1024
const MAX_CLIENTS = 16

export class LocalChannelError extends MeshError {
  override readonly name = 'LocalChannelError'
  override readonly code = 'LOCAL_CHANNEL'
}

/** A query as it crosses the channel (dates as ISO strings). */
type WireQuery = Omit<CommunitySearchQuery, 'seenSince' | 'aliveSince' | 'signal' | 'onHits'> & {
  seenSince?: string
  aliveSince?: string
}

type Line =
  | { event: 'hits'; from: string; hits: CommunityHit[] }
  | { event: 'result'; result: CommunitySearchResult }
  | { event: 'error'; message: string }

export interface LocalChannel {
  readonly path: string
  close(): Promise<void>
}

/** Listens on `path`; a stale socket left by a killed process is replaced, a live one is an error. */
export async function serveLocalChannel(path: string, search: FederatedSearch): Promise<LocalChannel> {
  const clients = new Set<Socket>()
  const server = createServer((socket) => {
    if (clients.size >= MAX_CLIENTS) return socket.destroy()
    clients.add(socket)
    socket.on('close', () => clients.delete(socket))
    socket.on('error', () => undefined)
    void answer(socket, search)
  })
  await listenReplacingStale(server, path)
  await chmod(path, 0o600)
  return {
    path,
    async close() {
      for (const c of clients) c.destroy()
      await new Promise<void>((r) => server.close(() => r()))
      await unlink(path).catch(() => undefined)
    },
  }
}

async function answer(socket: Socket, search: FederatedSearch): Promise<void> {
  const send = (l: Line): void => void socket.write(JSON.stringify(l) + '\n')
  try {
    const q = parseQuery(await readLine(socket))
    const result = await search.search({ ...q, onHits: (hits, from) => send({ event: 'hits', from, hits }) })
    send({ event: 'result', result })
  } catch (err) {
    send({ event: 'error', message: err instanceof Error ? err.message : String(err) })
  }
  socket.end()
}

function readLine(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = ''
    socket.setEncoding('utf8')
    const onData = (chunk: string): void => {
      buf += chunk
      const nl = buf.indexOf('\n')
      const over = nl < 0 && buf.length > MAX_REQUEST_BYTES
      if (nl < 0 && !over) return
      // One line per connection: whatever follows it is not read.
      socket.off('data', onData)
      socket.pause()
      if (over) reject(new LocalChannelError('query line too long'))
      else resolve(buf.slice(0, nl))
    }
    socket.on('data', onData)
    socket.on('end', () => reject(new LocalChannelError('no query line')))
  })
}

function parseQuery(line: string): CommunitySearchQuery {
  const v = JSON.parse(line) as WireQuery
  if (typeof v !== 'object' || v === null || typeof v.text !== 'string' || v.text.trim() === '')
    throw new LocalChannelError('a query needs text')
  const num = (x: unknown): number | undefined =>
    typeof x === 'number' && Number.isFinite(x) ? x : undefined
  const out: CommunitySearchQuery = { text: v.text }
  const limit = num(v.limit)
  const deadlineMs = num(v.deadlineMs)
  const minSize = num(v.minSize)
  const maxSize = num(v.maxSize)
  if (limit !== undefined) out.limit = limit
  if (deadlineMs !== undefined) out.deadlineMs = deadlineMs
  if (minSize !== undefined) out.minSize = minSize
  if (maxSize !== undefined) out.maxSize = maxSize
  if (typeof v.extension === 'string') out.extension = v.extension
  if (typeof v.seenSince === 'string') out.seenSince = new Date(v.seenSince)
  if (typeof v.aliveSince === 'string') out.aliveSince = new Date(v.aliveSince)
  if (v.includeLocal === false) out.includeLocal = false
  return out
}

async function listenReplacingStale(server: Server, path: string): Promise<void> {
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => {
        server.off('error', reject)
        resolve()
      })
    })
  try {
    await listen()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    if (await alive(path)) throw new LocalChannelError(`another member process serves ${path}`)
    await unlink(path)
    await listen()
  }
}

function alive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path)
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
}

/**
 * Asks the member process listening on `path`. Undefined when nobody listens there (no socket, or a
 * stale one); hits stream to `onHits` as the member merges them.
 */
export async function searchViaLocalChannel(
  path: string,
  q: CommunitySearchQuery,
): Promise<CommunitySearchResult | undefined> {
  const socket = await new Promise<Socket | undefined>((resolve) => {
    const s = connect(path)
    s.once('connect', () => resolve(s))
    s.once('error', () => resolve(undefined))
  })
  if (socket === undefined) return undefined
  const { signal: _s, onHits, seenSince, aliveSince, ...rest } = q
  const wire: WireQuery = {
    ...rest,
    ...(seenSince && { seenSince: seenSince.toISOString() }),
    ...(aliveSince && { aliveSince: aliveSince.toISOString() }),
  }
  socket.write(JSON.stringify(wire) + '\n')
  socket.setEncoding('utf8')
  return new Promise((resolve, reject) => {
    let buf = ''
    let done = false
    socket.on('data', (chunk: string) => {
      buf += chunk
      let nl: number
      while (!done && (nl = buf.indexOf('\n')) >= 0) {
        let line: Line
        try {
          line = JSON.parse(buf.slice(0, nl)) as Line
        } catch {
          line = { event: 'error', message: 'sent a line that is not JSON' }
        }
        buf = buf.slice(nl + 1)
        if (line.event === 'hits') onHits?.(line.hits.map(revive), line.from)
        else if (line.event === 'result') {
          done = true
          resolve({ ...line.result, hits: line.result.hits.map(revive) })
        } else {
          done = true
          reject(new LocalChannelError(`the member process: ${line.message}`))
        }
      }
    })
    socket.on('error', (err) => done || reject(new LocalChannelError(err.message)))
    socket.on('close', () => done || reject(new LocalChannelError('the member process closed the channel')))
  })
}

function revive(h: CommunityHit): CommunityHit {
  return {
    ...h,
    firstSeen: new Date(h.firstSeen),
    lastSeen: new Date(h.lastSeen),
    lastAlive: h.lastAlive === null ? null : new Date(h.lastAlive),
  }
}
