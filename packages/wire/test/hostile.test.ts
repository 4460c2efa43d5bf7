// Hostile peers over real loopback TCP: each is closed and counted, the process stays up, memory stays
// bounded. The server side is a MetadataServer; the client side is a hand-framed raw peer.
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import {
  MetadataServer,
  MetadataStore,
  bencode,
  dict,
  fetchMetadata,
  type CloseReason,
} from '../src/index.js'
import { v1Info } from './helpers/fixtures.js'
import {
  dataMessage,
  extended,
  extendedHandshake,
  handshake,
  hostileSeed,
  message,
  parser,
  rawConnect,
} from './helpers/raw-peer.js'
import { startStockSeed } from './helpers/stock.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const fixture = v1Info(1200)

async function server(limits = {}): Promise<{ srv: MetadataServer; port: number }> {
  const store = new MetadataStore()
  store.addInfo(fixture.info)
  const srv = new MetadataServer({ lookup: store, limits })
  cleanups.push(() => srv.close())
  return { srv, port: (await srv.listen()).port }
}

async function closedWith(srv: MetadataServer, reason: CloseReason): Promise<void> {
  for (let i = 0; i < 200 && srv.counters.closedFor(reason) === 0; i++)
    await new Promise((r) => setTimeout(r, 10))
  expect(srv.counters.closedFor(reason)).toBe(1)
}

describe('hostile clients against the metadata server', () => {
  it('oversized length prefix: closed at the prefix, nothing buffered', async () => {
    const { srv, port } = await server()
    const { socket, closed } = await rawConnect(port)
    const before = process.memoryUsage().arrayBuffers
    socket.write(handshake(fixture.v1!))
    socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 20]))
    // Keep writing junk: a buffering parser would now try to hold up to 2 GiB.
    for (let i = 0; i < 16 && !socket.destroyed; i++) socket.write(randomBytes(64 * 1024))
    await closed
    await closedWith(srv, 'message-too-large')
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024)
    expect(srv.host.connectionCount).toBe(0)
  })

  it('garbage handshake', async () => {
    const { srv, port } = await server()
    const { socket, closed } = await rawConnect(port)
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await closed
    await closedWith(srv, 'bad-handshake')
  })

  it('a peer that never handshakes times out', async () => {
    const { srv, port } = await server({ handshakeTimeoutMs: 200 })
    const { closed } = await rawConnect(port)
    await closed
    await closedWith(srv, 'handshake-timeout')
  })

  it('a peer that goes silent after the handshake hits the idle timeout', async () => {
    const { srv, port } = await server({ idleTimeoutMs: 200 })
    const { socket, closed } = await rawConnect(port)
    socket.write(handshake(fixture.v1!))
    await closed
    await closedWith(srv, 'idle-timeout')
  })

  it('unknown infohash', async () => {
    const { srv, port } = await server()
    const { socket, closed } = await rawConnect(port)
    socket.write(handshake(randomBytes(20)))
    await closed
    await closedWith(srv, 'unknown-infohash')
  })

  it('fixed-size message with the wrong length (a 1-byte "have")', async () => {
    const { srv, port } = await server()
    const { socket, closed } = await rawConnect(port)
    socket.write(Buffer.concat([handshake(fixture.v1!), message(4)]))
    await closed
    await closedWith(srv, 'bad-message-length')
  })

  it('malformed ut_metadata message closes only that connection; out-of-range requests are rejected', async () => {
    const { srv, port } = await server()
    const good = await rawConnect(port)
    const replies: { id: number; payload: Buffer }[] = []
    const feed = parser((s) => replies.splice(0, replies.length, ...s.messages))
    good.socket.on('data', feed)
    good.socket.write(handshake(fixture.v1!))
    good.socket.write(extendedHandshake({ m: dict({ ut_metadata: 7 }) }))
    good.socket.write(extended(1, bencode(dict({ msg_type: 0, piece: 999 }))))
    const bad = await rawConnect(port)
    bad.socket.write(handshake(fixture.v1!))
    bad.socket.write(extended(1, Buffer.from('d8:msg_typei0e5:piece')))
    await bad.closed
    await closedWith(srv, 'protocol-error')
    for (let i = 0; i < 100 && !replies.some((m) => m.id === 20 && m.payload[0] === 7); i++) {
      await new Promise((r) => setTimeout(r, 10))
    }
    const reject = replies.find((m) => m.id === 20 && m.payload[0] === 7)!
    expect(reject.payload.subarray(1).toString()).toBe('d8:msg_typei2e5:piecei999ee')
    expect(good.socket.destroyed).toBe(false)
    good.socket.destroy()
  })
})

describe('hostile seeds during a fetch', () => {
  const size = fixture.info.length

  async function seed(behaviour: Parameters<typeof hostileSeed>[1], opts = {}): Promise<number> {
    const s = await hostileSeed(size, behaviour, opts)
    cleanups.push(() => s.close())
    return s.port
  }

  it('out-of-range piece: that peer is dropped, the good peer wins', async () => {
    const bad = await seed((socket, _s, ut) => socket.write(dataMessage(ut, 99, size, Buffer.alloc(16384))))
    const good = await startStockSeed(fixture.info)
    cleanups.push(() => good.close())
    const r = await fetchMetadata({
      infoHash: fixture.v1!,
      peers: [{ host: '127.0.0.1', port: bad }],
      timeoutMs: 5000,
    }).catch((e: { failures: { reason: string }[] }) => e)
    expect('failures' in r && r.failures[0]!.reason).toMatch(/out-of-range/)
    const ok = await fetchMetadata({
      infoHash: fixture.v1!,
      peers: [
        { host: '127.0.0.1', port: bad },
        { host: '127.0.0.1', port: good.port },
      ],
      concurrency: 1,
      timeoutMs: 5000,
    })
    expect(Buffer.from(ok.info).equals(fixture.info)).toBe(true)
    expect(ok.failures).toHaveLength(1)
    expect(ok.failures[0]!.reason).toMatch(/out-of-range/)
  })

  it('wrong-hash metadata: rejected after assembly', async () => {
    const port = await seed((socket, _s, ut) => {
      const junk = randomBytes(size)
      for (let p = 0; p * 16384 < size; p++)
        socket.write(dataMessage(ut, p, size, junk.subarray(p * 16384, (p + 1) * 16384)))
    })
    const err = await fetchMetadata({
      infoHash: fixture.v1!,
      peers: [{ host: '127.0.0.1', port }],
      timeoutMs: 5000,
    }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_METADATA' })
    expect((err as { failures: { reason: string }[] }).failures[0]!.reason).toMatch(/does not match/)
  })

  it('a seed that never handshakes: per-peer timeout, then the next peer', async () => {
    const silent = await seed(() => {}, { silent: true })
    const good = await startStockSeed(fixture.info)
    cleanups.push(() => good.close())
    const r = await fetchMetadata({
      infoHash: fixture.v1!,
      peers: [
        { host: '127.0.0.1', port: silent },
        { host: '127.0.0.1', port: good.port },
      ],
      concurrency: 1,
      peerTimeoutMs: 300,
      timeoutMs: 5000,
    })
    expect(r.failures.map((f) => f.reason)).toEqual(['peer timed out'])
  })

  it('overall timeout and AbortSignal', async () => {
    const silent = await seed(() => {}, { silent: true })
    const peers = [{ host: '127.0.0.1', port: silent }]
    const t = await fetchMetadata({ infoHash: fixture.v1!, peers, timeoutMs: 200 }).catch((e: unknown) => e)
    expect(t).toMatchObject({ code: 'ERR_METADATA', message: 'metadata fetch timed out' })
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 100)
    const a = await fetchMetadata({ infoHash: fixture.v1!, peers, signal: ac.signal }).catch(
      (e: unknown) => e,
    )
    expect(a).toMatchObject({ code: 'ERR_ABORTED' })
  })

  it('a dead address is reported as a dial failure', async () => {
    const s = await hostileSeed(size, () => {})
    const port = s.port
    await s.close()
    const err = await fetchMetadata({ infoHash: fixture.v1!, peers: [{ host: '127.0.0.1', port }] }).catch(
      (e: unknown) => e,
    )
    expect((err as { failures: { reason: string }[] }).failures[0]!.reason).toMatch(/ECONNREFUSED/)
  })
})
