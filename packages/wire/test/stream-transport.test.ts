// PeerHost over injected streams instead of TCP: a `dial` function for connect() and acceptStream()
// for inbound streams, here an in-memory duplex pair. The same BEP-9 fetch, extensions, hostile-input
// handling and connection caps as over a socket, with no listener at all.
import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AbortError,
  ConnectionLimitError,
  DialError,
  MetadataServer,
  MetadataStore,
  PeerHost,
  createMetadataExtension,
  createPexExtension,
  fetchMetadata,
  type PeerConnection,
  type PeerDialer,
  type PexPeer,
} from '../src/index.js'
import { duplexPair } from './helpers/duplex-pair.js'
import { echoExtension, newLog } from './helpers/echo-extension.js'
import { v1Info } from './helpers/fixtures.js'
import { waitFor } from './helpers/pair.js'
import { handshake, message } from './helpers/raw-peer.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const CLIENT = { host: '10.0.0.2', port: 40000 }

/** A dialer whose every stream ends at `target.acceptStream`, as if it came from CLIENT. */
function dialTo(target: PeerHost, accepted: (PeerConnection | undefined)[] = []): PeerDialer {
  return async () => {
    const [near, far] = duplexPair()
    accepted.push(target.acceptStream(far, CLIENT))
    return near
  }
}

function host(opts: ConstructorParameters<typeof PeerHost>[0] = {}): PeerHost {
  const h = new PeerHost(opts)
  cleanups.push(() => h.close())
  return h
}

describe('PeerHost over in-memory streams', () => {
  it('fetches BEP-9 metadata from a MetadataServer with no TCP listener', async () => {
    const fx = v1Info(1500) // 30 KB: two ut_metadata pieces
    const store = new MetadataStore()
    store.addInfo(fx.info)
    const srv = new MetadataServer({ lookup: store })
    cleanups.push(() => srv.close())
    const accepted: (PeerConnection | undefined)[] = []
    const client = host({ dial: dialTo(srv.host, accepted) })
    client.registry.register(createMetadataExtension())
    const peers = [{ host: '10.0.0.1', port: 6881 }]
    const res = await fetchMetadata({ infoHash: fx.v1!, peers, host: client })
    expect(Buffer.from(res.info).equals(fx.info)).toBe(true)
    expect(res.version).toBe('v1')
    expect(res.peer).toEqual({ host: '10.0.0.1', port: 6881 })
    expect(accepted.length).toBe(1)
    const inbound = accepted[0]
    expect(srv.host.port).toBeUndefined()
    expect(inbound?.remoteAddress).toBe(CLIENT.host)
    expect(inbound?.remotePort).toBe(CLIENT.port)
    await waitFor(() => srv.host.connectionCount === 0 && client.connectionCount === 0)
    expect(srv.counters.closedFor('remote-closed')).toBe(1)
  })

  it('routes a bb_* extension and ut_pex both ways', async () => {
    const serverLog = newLog()
    const clientLog = newLog()
    const ih = randomBytes(20)
    const learned: PexPeer[] = []
    const swarm: PexPeer[] = [
      { host: '10.1.0.1', port: 6881, flags: 0x10 },
      { host: '10.1.0.2', port: 6882, flags: 0 },
    ]
    let inbound: PeerConnection | undefined
    const server = host({ acceptInfoHash: (x) => ih.equals(x), onConnection: (c) => (inbound = c) })
    server.registry.register(echoExtension(serverLog))
    server.registry.register(
      createPexExtension({ localPeers: () => swarm, intervalMs: 50, minIncomingIntervalMs: 0 }),
    )
    const client = host({ dial: dialTo(server) })
    client.registry.register(echoExtension(clientLog))
    client.registry.register(
      createPexExtension({
        localPeers: () => [],
        onPeers: (_ih, ps) => void learned.push(...ps),
        intervalMs: 50,
        minIncomingIntervalMs: 0,
      }),
    )
    const outbound = await client.connect({ host: '10.0.0.1', port: 6881 }, ih)
    expect(outbound.remoteAddress).toBe('10.0.0.1')
    await waitFor(() => clientLog.sessions.length === 1 && serverLog.sessions.length === 1)
    clientLog.sessions[0]!.send('ping', { seq: 7, body: Buffer.from('hi') })
    serverLog.sessions[0]!.send('ping', { seq: 9, body: Buffer.alloc(0) })
    await waitFor(() => clientLog.pongs.length === 1 && serverLog.pongs.length === 1)
    expect(serverLog.pings).toEqual([7])
    expect(clientLog.pings).toEqual([9])
    await waitFor(() => learned.length === 2)
    expect(learned).toEqual(swarm)
    expect(inbound?.peerId && Buffer.from(inbound.peerId).equals(client.peerId)).toBe(true)
    outbound.close('local')
    await waitFor(() => inbound?.closed === true)
    expect(inbound?.closeInfo?.reason).toBe('remote-closed')
  })
})

describe('hostile input over a stream', () => {
  /** A raw peer on the near end of a pair whose far end the server accepted. */
  function rawPeer(srv: MetadataServer): { raw: Duplex; ended: Promise<void> } {
    const [raw, far] = duplexPair()
    raw.resume()
    const ended = new Promise<void>((r) => raw.once('end', () => r()))
    srv.host.acceptStream(far, CLIENT)
    return { raw, ended }
  }

  function server(limits = {}): MetadataServer {
    const store = new MetadataStore()
    store.addInfo(v1Info(100).info)
    const srv = new MetadataServer({ lookup: store, limits })
    cleanups.push(() => srv.close())
    return srv
  }

  it('an oversized length prefix is counted and the stream closed', async () => {
    const srv = server()
    const { raw, ended } = rawPeer(srv)
    raw.write(handshake(randomBytes(20)))
    raw.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 20]))
    await ended
    expect(srv.counters.closedFor('message-too-large')).toBe(1)
    expect(srv.host.connectionCount).toBe(0)
  })

  it('a garbage handshake and a bad fixed-length message are counted and closed', async () => {
    const srv = server()
    const a = rawPeer(srv)
    a.raw.write('GET / HTTP/1.1\r\n\r\n')
    await a.ended
    expect(srv.counters.closedFor('bad-handshake')).toBe(1)
    const fx = v1Info(100)
    const store = new MetadataStore()
    store.addInfo(fx.info)
    const srv2 = new MetadataServer({ lookup: store })
    cleanups.push(() => srv2.close())
    const b = rawPeer(srv2)
    b.raw.write(handshake(fx.v1!))
    b.raw.write(message(4, Buffer.alloc(9))) // `have` is exactly 5 bytes long (BEP-3)
    await b.ended
    expect(srv2.counters.closedFor('bad-message-length')).toBe(1)
    expect(srv2.host.connectionCount).toBe(0)
  })

  it('a stream that never handshakes hits the handshake timeout', async () => {
    const srv = server({ handshakeTimeoutMs: 100 })
    const { ended } = rawPeer(srv)
    await ended
    expect(srv.counters.closedFor('handshake-timeout')).toBe(1)
  })
})

describe('caps and dial failures with injected streams', () => {
  it('acceptStream applies the per-IP and global caps and refuses after close', async () => {
    const h = new PeerHost({ maxConnections: 3, maxConnectionsPerIp: 2 })
    const far = (): Duplex => duplexPair()[1]
    const a = h.acceptStream(far(), { host: '10.9.0.1', port: 1 })
    const b = h.acceptStream(far(), { host: '10.9.0.1', port: 2 })
    const refusedStream = far()
    const c = h.acceptStream(refusedStream, { host: '10.9.0.1', port: 3 })
    expect(a && b && c === undefined).toBe(true)
    expect(refusedStream.destroyed).toBe(true)
    expect(h.counters.rejectedByLimit).toBe(1)
    expect(h.acceptStream(far(), { host: '10.9.0.2', port: 1 })).toBeDefined()
    expect(h.acceptStream(far(), { host: '10.9.0.3', port: 1 })).toBeUndefined()
    expect(h.counters.rejectedByLimit).toBe(2)
    expect(h.connectionCount).toBe(3)
    a!.close('local')
    expect(h.acceptStream(far(), { host: '10.9.0.3', port: 1 })).toBeDefined()
    await h.close()
    expect(h.connectionCount).toBe(0)
    expect(h.acceptStream(far(), { host: '10.9.0.4', port: 1 })).toBeUndefined()
    expect(h.counters.rejectedByLimit).toBe(3)
  })

  it('a failed or abandoned dial releases its slot; outbound connects count against the cap', async () => {
    const ih = randomBytes(20)
    const server = host({ acceptInfoHash: (x) => ih.equals(x) })
    let mode: 'refuse' | 'late' | 'ok' = 'refuse'
    let late: Duplex | undefined
    const client = host({
      maxConnections: 1,
      dial: async (addr, o) => {
        if (mode === 'refuse') throw new DialError(`dial ${addr.host}: refused`)
        if (mode === 'late') {
          // Ignores the signal, answering only after it fired.
          await new Promise<void>((r) => o.signal?.addEventListener('abort', () => r(), { once: true }))
          late = duplexPair()[0]
          return late
        }
        return dialTo(server)(addr, o)
      },
    })
    const addr = { host: '10.0.0.1', port: 6881 }
    await expect(client.connect(addr, ih)).rejects.toBeInstanceOf(DialError)
    mode = 'late'
    const ac = new AbortController()
    const pending = client.connect(addr, ih, { signal: ac.signal })
    ac.abort()
    await expect(pending).rejects.toBeInstanceOf(AbortError)
    expect(late?.destroyed).toBe(true)
    mode = 'ok'
    const conn = await client.connect(addr, ih)
    await expect(client.connect(addr, ih)).rejects.toBeInstanceOf(ConnectionLimitError)
    await waitFor(() => conn.peerHandshake !== undefined)
    conn.close('local')
    expect(client.connectionCount).toBe(0)
    const again = await client.connect(addr, ih)
    expect(again.closed).toBe(false)
  })
})
