// Connections over loopback: BEP-10 handshake fields, BEP-5 PORT both ways (ours and stock), caps, close.
import Wire from 'bittorrent-protocol'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { PeerHost, createMetadataExtension, type PeerConnection } from '../src/index.js'
import { rawConnect } from './helpers/raw-peer.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const ih = randomBytes(20)

function host(opts: ConstructorParameters<typeof PeerHost>[0] = {}): PeerHost {
  const h = new PeerHost({ acceptInfoHash: (x) => Buffer.from(x).equals(ih), ...opts })
  cleanups.push(() => h.close())
  return h
}

function next<T>(emitter: PeerConnection, ev: 'extended-handshake' | 'dht-port' | 'close'): Promise<T> {
  return new Promise((r) => emitter.once(ev, r as never))
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10))
}

describe('PeerHost connections', () => {
  it('exchanges client name, listen port, reqq, metadata_size and the DHT port', async () => {
    let inbound: PeerConnection | undefined
    const server = host({ dhtPort: 6881, metadataSize: () => 12345, onConnection: (c) => (inbound = c) })
    server.registry.register(createMetadataExtension())
    const { port } = await server.listen()
    const client = host({ dhtPort: 7000, clientName: 'test-client 1.0' })
    await client.listen()
    const conn = await client.connect({ host: '127.0.0.1', port }, ih)
    const [hs, dht] = await Promise.all([
      next<{ metadataSize?: number }>(conn, 'extended-handshake'),
      next<number>(conn, 'dht-port'),
    ])
    expect(hs).toMatchObject({ clientName: 'bbmesh 0.1.0', listenPort: port, reqq: 250, metadataSize: 12345 })
    expect(dht).toBe(6881)
    await until(() => inbound?.peerExtendedHandshake !== undefined)
    expect(inbound!.peerExtendedHandshake).toMatchObject({
      clientName: 'test-client 1.0',
      listenPort: client.port,
    })
    expect(inbound!.peerHandshake!.dht).toBe(true)
    expect(inbound!.peerExtendedHandshake!.extensions.has('ut_metadata')).toBe(false)
    expect(conn.peerExtendedHandshake!.extensions.get('ut_metadata')).toBe(1)
  })

  it('a stock bittorrent-protocol peer receives our PORT and we surface its PORT', async () => {
    let inbound: PeerConnection | undefined
    const server = host({ dhtPort: 6881, onConnection: (c) => (inbound = c) })
    const { port } = await server.listen()
    const socket: Socket = connect(port, '127.0.0.1')
    cleanups.push(async () => void socket.destroy())
    const wire = new Wire() as unknown as {
      handshake(i: Uint8Array, p: Uint8Array, e: object): void
      port(n: number): void
      on(e: string, f: (...a: never[]) => void): void
    }
    ;(socket as unknown as { pipe(d: unknown): { pipe(d: Socket): void } }).pipe(wire).pipe(socket)
    const stockGotPort = new Promise<number>((r) => wire.on('port', r))
    wire.on('handshake', () => wire.port(51413))
    wire.handshake(ih, randomBytes(20), { dht: true })
    expect(await stockGotPort).toBe(6881)
    await until(() => inbound !== undefined)
    expect(await next<number>(inbound!, 'dht-port')).toBe(51413)
  })

  it('enforces the per-IP and global caps and counts rejections', async () => {
    const server = host({ maxConnectionsPerIp: 2 })
    const { port } = await server.listen()
    const socks = await Promise.all([1, 2, 3].map(() => rawConnect(port)))
    cleanups.push(async () => socks.forEach((s) => s.socket.destroy()))
    await until(() => server.counters.rejectedByLimit === 1)
    expect(server.counters.rejectedByLimit).toBe(1)
    expect(server.connectionCount).toBe(2)
    const g = host({ maxConnections: 1 })
    const gp = (await g.listen()).port
    const a = await rawConnect(gp)
    const b = await rawConnect(gp)
    await b.closed
    expect(g.counters.rejectedByLimit).toBe(1)
    a.socket.destroy()
  })

  it('close() releases every connection and the listener, and is idempotent', async () => {
    const server = host()
    const { port } = await server.listen()
    const client = host()
    const conn = await client.connect({ host: '127.0.0.1', port }, ih)
    await until(() => server.connectionCount === 1)
    const closed = next<{ reason: string }>(conn, 'close')
    await server.close()
    await server.close()
    expect(['remote-closed', 'socket-error']).toContain((await closed).reason)
    expect(server.connectionCount).toBe(0)
    await expect(rawConnect(port)).rejects.toThrow()
    await client.close()
    expect(client.connectionCount).toBe(0)
  })

  it('keep-alives keep an otherwise silent connection open past the idle timeout', async () => {
    const limits = { idleTimeoutMs: 600, keepAliveIntervalMs: 50 }
    const server = host({ limits })
    const { port } = await server.listen()
    const conn = await host({ limits }).connect({ host: '127.0.0.1', port }, ih)
    await new Promise((r) => setTimeout(r, 1500))
    expect(conn.closed).toBe(false)
    expect(server.connectionCount).toBe(1)
    // Without keep-alives from the client, the server drops it.
    const quiet = host({ limits: { keepAliveIntervalMs: 60_000 } })
    const c2 = await quiet.connect({ host: '127.0.0.1', port }, ih)
    await until(() => c2.closed)
    expect(server.counters.closedFor('idle-timeout')).toBe(1)
  })

  it('the per-IP cap limits inbound connections only', async () => {
    const server = host()
    const { port } = await server.listen()
    const client = host({ maxConnectionsPerIp: 1 })
    const conns = await Promise.all([1, 2, 3].map(() => client.connect({ host: '127.0.0.1', port }, ih)))
    expect(conns.every((c) => !c.closed)).toBe(true)
    expect(client.connectionCount).toBe(3)
  })

  it('dial timeout: a listener whose accept queue is full never completes the TCP handshake', async () => {
    // A child process listens with a backlog of 1 and then blocks its event loop, so it never accepts:
    // the kernel completes a connection or two into the queue and leaves later SYNs unanswered.
    const script =
      "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{" +
      'console.log(s.address().port);Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,20000)})'
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] })
    cleanups.push(async () => void child.kill())
    const port = await new Promise<number>((r) =>
      child.stdout.once('data', (d) => r(Number(String(d).trim()))),
    )
    // Fill the queue: connect until one attempt stays pending.
    for (let i = 0; i < 8; i++) {
      const socket = connect(port, '127.0.0.1')
      socket.on('error', () => {})
      cleanups.push(async () => void socket.destroy())
      const ok = await new Promise<boolean>((r) => {
        socket.once('connect', () => r(true))
        setTimeout(() => r(false), 200)
      })
      if (!ok) break
    }
    const client = host()
    const started = Date.now()
    await expect(client.connect({ host: '127.0.0.1', port }, ih, { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'ERR_DIAL_TIMEOUT',
    })
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    expect(client.connectionCount).toBe(0)
  })

  it('dial failures are typed', async () => {
    const client = host()
    const ac = new AbortController()
    ac.abort()
    await expect(
      client.connect({ host: '127.0.0.1', port: 9 }, ih, { signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    await expect(client.connect({ host: '127.0.0.1', port: 9 }, ih)).rejects.toMatchObject({
      code: 'ERR_DIAL',
    })
    expect(client.connectionCount).toBe(0)
  })
})
