// BEP-9 serve from an asynchronous lookup (a database): stock and own clients over loopback TCP, held
// early messages, lookup failures closed and counted, bounded concurrency, the handshake timeout as bound.
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import {
  MetadataServer,
  MetadataStore,
  bencode,
  dict,
  fetchMetadata,
  rawDictValue,
  type AsyncMetadataLookup,
} from '../src/index.js'
import { hybridInfo, v1Info, v2Info, type InfoFixture } from './helpers/fixtures.js'
import { extended, extendedHandshake, handshake, parser, rawConnect } from './helpers/raw-peer.js'
import { stockFetch } from './helpers/stock.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** An asynchronous lookup over a MetadataStore that answers after `delayMs` and counts its calls. */
function delayed(fs: InfoFixture[], delayMs: number): AsyncMetadataLookup & { calls: number } {
  const store = new MetadataStore()
  for (const f of fs) store.addInfo(f.info)
  const lookup = {
    calls: 0,
    get: async (ih: Uint8Array) => {
      lookup.calls++
      await sleep(delayMs)
      return store.get(ih)
    },
  }
  return lookup
}

async function serve(
  lookup: AsyncMetadataLookup,
  opts: Partial<ConstructorParameters<typeof MetadataServer>[0]> = {},
) {
  const srv = new MetadataServer({ lookup, maxConnectionsPerIp: 64, ...opts })
  cleanups.push(() => srv.close())
  return { srv, port: (await srv.listen(0, '127.0.0.1')).port }
}

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !cond();) {
    if (Date.now() > end) throw new Error('condition not reached')
    await sleep(10)
  }
}

describe('MetadataServer with an asynchronous lookup', () => {
  it('serves a stock ut_metadata client and ours (v1, v2, hybrid); concurrent peers share one lookup', async () => {
    const v1 = v1Info(1500)
    const v2 = v2Info(200)
    const hy = hybridInfo(50)
    const lookup = delayed([v1, v2, hy], 150)
    const { srv, port } = await serve(lookup)
    const got = await Promise.all([1, 2, 3, 4].map(() => stockFetch(port, v1.v1!.toString('hex'))))
    for (const g of got) expect(Buffer.from(rawDictValue(g, 'info')!).equals(v1.info)).toBe(true)
    expect(lookup.calls).toBe(1)
    const a = await fetchMetadata({ infoHash: v2.v2!, peers: [{ host: '127.0.0.1', port }], timeoutMs: 5000 })
    const b = await fetchMetadata({ infoHash: hy.v1!, peers: [{ host: '127.0.0.1', port }], timeoutMs: 5000 })
    expect([a.version, b.version]).toEqual(['v2', 'v1'])
    expect(Buffer.from(a.info).equals(v2.info)).toBe(true)
    expect(lookup.calls).toBe(3)
    expect(srv.pendingLookups).toEqual({ running: 0, waiting: 0 })
  })

  it('holds extended messages sent before our handshake and answers them after it, in order', async () => {
    const f = v1Info(100)
    const { srv, port } = await serve(delayed([f], 150))
    const { socket } = await rawConnect(port)
    const chunks: Buffer[] = []
    let done: () => void = () => undefined
    // Bounded: on failure the assertions below say what was missing.
    const answered = new Promise<void>((r) => {
      done = r
      setTimeout(r, 5000)
    })
    const feed = parser((s) => {
      if (s.messages.some((m) => m.id === 20 && m.payload[0] === 9)) done()
    })
    socket.on('data', (c: Buffer) => {
      chunks.push(c)
      feed(c)
    })
    // Handshake, extended handshake and a request on our ut_metadata id (1: the only extension we
    // register) in one segment, long before the lookup answers.
    socket.write(
      Buffer.concat([
        handshake(f.v1!),
        extendedHandshake({ m: dict({ ut_metadata: 9 }) }),
        extended(1, bencode(dict({ msg_type: 0, piece: 0 }))),
      ]),
    )
    await answered
    const all = Buffer.concat(chunks)
    // Our BEP-3 handshake comes first, then the answer is data (not a reject sent before we knew the hash).
    expect(all.subarray(1, 20).toString()).toBe('BitTorrent protocol')
    expect(all.subarray(28, 48).equals(f.v1!)).toBe(true)
    expect(all.includes(Buffer.from('8:msg_typei1e'))).toBe(true)
    expect(all.includes(Buffer.from('8:msg_typei2e'))).toBe(false)
    expect(all.subarray(all.length - f.info.length).equals(f.info)).toBe(true)
    socket.destroy()
    expect(srv.counters.closedFor('protocol-error')).toBe(0)
  })

  it('closes a peer that floods extended messages while its lookup is pending', async () => {
    const f = v1Info(100)
    const { srv, port } = await serve(delayed([f], 300))
    const { socket, closed } = await rawConnect(port)
    const flood = Array.from({ length: 20 }, () => extended(1, bencode(dict({ msg_type: 0, piece: 0 }))))
    socket.write(Buffer.concat([handshake(f.v1!), ...flood]))
    await closed
    expect(srv.counters.closedFor('protocol-error')).toBe(1)
  })

  it('lookup failures close the connection and are counted; the server keeps serving', async () => {
    const good = v1Info(100)
    const other = v1Info(100)
    const [rejects, wrong, throws, missing] = [
      randomBytes(20),
      randomBytes(20),
      randomBytes(20),
      randomBytes(20),
    ]
    const lookup: AsyncMetadataLookup = {
      get(ih) {
        const k = Buffer.from(ih)
        if (k.equals(throws)) throw new Error('database is locked')
        return (async () => {
          await sleep(20)
          if (k.equals(rejects)) throw new Error('disk I/O error')
          if (k.equals(wrong)) return other.info // not the dict of this hash
          if (k.equals(good.v1!)) return good.info
          if (k.equals(missing)) return undefined
          return undefined
        })()
      },
    }
    const { srv, port } = await serve(lookup)
    for (const ih of [rejects, wrong, throws, missing])
      await expect(stockFetch(port, ih.toString('hex'), 3000)).rejects.toThrow(/closed/)
    await waitFor(() => srv.counters.closedFor('lookup-failed') === 3)
    expect(srv.counters.closedFor('unknown-infohash')).toBe(1)
    const got = await stockFetch(port, good.v1!.toString('hex'))
    expect(Buffer.from(rawDictValue(got, 'info')!).equals(good.info)).toBe(true)
  })

  it('runs at most maxConcurrentLookups at once, refuses past the queue, and the handshake timeout bounds the wait', async () => {
    const f = v1Info(100)
    const release: (() => void)[] = []
    let running = 0
    let peak = 0
    const lookup: AsyncMetadataLookup = {
      get: async (ih) => {
        running++
        peak = Math.max(peak, running)
        await new Promise<void>((r) => release.push(r))
        running--
        return Buffer.from(ih).equals(f.v1!) ? f.info : undefined
      },
    }
    const { srv, port } = await serve(lookup, {
      maxConcurrentLookups: 2,
      maxQueuedLookups: 2,
      limits: { handshakeTimeoutMs: 600 },
    })
    const peers = await Promise.all(Array.from({ length: 6 }, () => rawConnect(port)))
    for (const p of peers) p.socket.write(handshake(randomBytes(20)))
    await Promise.all(peers.map((p) => p.closed))
    expect(peak).toBe(2)
    expect(srv.counters.closedFor('lookup-failed')).toBe(2) // queue full
    expect(srv.counters.closedFor('handshake-timeout')).toBe(4) // 2 running + 2 waiting
    // The stuck lookups still hold their slots until they settle; release them one by one.
    while (srv.pendingLookups.running > 0) {
      release.shift()?.()
      await sleep(10)
    }
    expect(srv.pendingLookups).toEqual({ running: 0, waiting: 0 })
    const fetched = fetchMetadata({ infoHash: f.v1!, peers: [{ host: '127.0.0.1', port }], timeoutMs: 3000 })
    await waitFor(() => release.length === 1)
    release.shift()!()
    expect((await fetched).version).toBe('v1')
    expect(peak).toBe(2)
  })

  it('close() while lookups are pending releases everything', async () => {
    const f = v1Info(100)
    const lookup = delayed([f], 200)
    const srv = new MetadataServer({ lookup, maxConnectionsPerIp: 64 })
    const { port } = await srv.listen(0, '127.0.0.1')
    const peers = await Promise.all([1, 2, 3].map(() => rawConnect(port)))
    for (const p of peers) p.socket.write(handshake(f.v1!))
    await waitFor(() => lookup.calls === 1)
    await srv.close()
    await srv.close()
    await Promise.all(peers.map((p) => p.closed))
    await sleep(250) // the lookup settles after close: nothing may throw
    expect(srv.host.connectionCount).toBe(0)
  })
})
