// BEP-11 PEX over loopback: ours<->ours with a short interval, bounded state against a flooding peer,
// and interop with stock ut_pex (one message each way; the 60 s rule is respected toward it).
import bencode from 'bencode'
import Wire from 'bittorrent-protocol'
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import utPex from 'ut_pex'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  PEX_MAX_KNOWN_PEERS,
  PeerHost,
  createPexExtension,
  type PeerConnection,
  type PexPeer,
  type PexPeerState,
} from '../src/index.js'
import { connectedPair, waitFor } from './helpers/pair.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const peers = (n: number, base = 1): PexPeer[] =>
  Array.from({ length: n }, (_, i) => ({
    host: `10.0.${(base + i) >> 8}.${(base + i) & 255}`,
    port: 6881,
    flags: 0x10,
  }))

describe('ours <-> ours', () => {
  it('sends added then dropped peers at the configured interval', async () => {
    let swarm = peers(3)
    const learned: PexPeer[] = []
    const p = await connectedPair((h, side) =>
      h.registry.register(
        createPexExtension({
          localPeers: () => (side === 'server' ? swarm : []),
          onPeers: (_ih, ps) => void learned.push(...ps),
          intervalMs: 50,
          minIncomingIntervalMs: 0,
        }),
      ),
    )
    cleanups.push(() => p.close())
    await waitFor(() => learned.length === 3)
    expect(learned.map((x) => x.host)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3'])
    expect(learned[0]!.flags).toBe(0x10)
    swarm = [...swarm.slice(1), ...peers(1, 9)]
    await waitFor(() => learned.length === 4)
    expect(learned[3]!.host).toBe('10.0.0.9')
    const state = p.outbound.extension<PexPeerState>('ut_pex')!
    expect(state.knownPeers).toBe(3) // 10.0.0.1 was dropped
    expect(state.intervalMs).toBe(50)
  })

  it('state stays bounded against a flooding peer, and too-frequent messages are ignored', async () => {
    let n = 0
    const p = await connectedPair((h, side) =>
      h.registry.register(
        createPexExtension({
          localPeers: () => (side === 'client' ? peers(PEX_MAX_KNOWN_PEERS * 2, 1 + 50 * n++) : []),
          intervalMs: 10,
          minIncomingIntervalMs: side === 'server' ? 0 : 30_000,
        }),
      ),
    )
    cleanups.push(() => p.close())
    const state = p.inbound.extension<PexPeerState>('ut_pex')!
    await waitFor(() => state.received >= 15)
    expect(state.knownPeers).toBeLessThanOrEqual(PEX_MAX_KNOWN_PEERS)
    // Every message carries at most 50 added peers (BEP-11).
    expect(state.knownPeers).toBeLessThanOrEqual(state.received * 50)
  })
})

describe('stock ut_pex interop', () => {
  interface StockWire {
    use(e: unknown): void
    handshake(i: Uint8Array, p: Uint8Array, e: object): void
    extended(name: string, payload: Uint8Array): void
    destroyed: boolean
    ut_pex: { on(e: string, f: (...a: never[]) => void): void }
  }

  async function stockPair(localPeers: () => PexPeer[], onPeers: (ps: readonly PexPeer[]) => void) {
    const ih = randomBytes(20)
    let inbound: PeerConnection | undefined
    const host = new PeerHost({ acceptInfoHash: (x) => ih.equals(x), onConnection: (c) => (inbound = c) })
    host.registry.register(
      createPexExtension({ localPeers, onPeers: (_i, ps) => onPeers(ps), intervalMs: 50 }),
    )
    cleanups.push(() => host.close())
    const { port } = await host.listen()
    const socket: Socket = connect(port, '127.0.0.1')
    socket.on('error', () => {})
    cleanups.push(async () => void socket.destroy())
    const wire = new Wire() as unknown as StockWire
    ;(socket as unknown as { pipe(d: unknown): { pipe(d: Socket): void } }).pipe(wire).pipe(socket)
    wire.use(utPex())
    const closed = { value: false }
    socket.on('close', () => (closed.value = true))
    return { wire, ih, closed, inbound: () => inbound }
  }

  it('our first message reaches stock ut_pex, and the next waits the full 65 s', async () => {
    // Fake only setInterval and Date (sockets keep real timers): our 50 ms interval must be floored to
    // 65 s toward stock, whose own check (Date.now gaps < 60 s) would otherwise drop the connection.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    cleanups.push(async () => void vi.useRealTimers())
    const got: string[] = []
    let calls = 0
    // Every call offers two new peers, so each tick of our timer has something to send.
    const s = await stockPair(
      () => peers(2, 1 + 2 * calls++),
      () => {},
    )
    s.wire.ut_pex.on('peer', (peer: string) => void got.push(peer))
    s.wire.handshake(s.ih, randomBytes(20), {})
    await waitFor(() => got.length === 2)
    expect(got).toEqual(['10.0.0.1:6881', '10.0.0.2:6881'])
    const state = s.inbound()!.extension<PexPeerState>('ut_pex')!
    expect(state.intervalMs).toBe(65_000)
    vi.advanceTimersByTime(64_999)
    await new Promise((r) => setTimeout(r, 200)) // real time for anything sent to arrive
    expect(got).toHaveLength(2)
    expect(calls).toBe(1)
    vi.advanceTimersByTime(1)
    await waitFor(() => got.length === 4)
    expect(got.slice(2)).toEqual(['10.0.0.3:6881', '10.0.0.4:6881'])
    expect(s.closed.value).toBe(false)
  })

  it('a message in stock ut_pex format is understood', async () => {
    const learned: PexPeer[] = []
    const s = await stockPair(
      () => [],
      (ps) => void learned.push(...ps),
    )
    s.wire.handshake(s.ih, randomBytes(20), {})
    await waitFor(() => s.inbound()?.peerExtendedHandshake !== undefined)
    // Exactly the dict stock ut_pex's _sendMessage builds: compact lists and per-peer flag bytes.
    const compact = Buffer.from([192, 168, 7, 9, 0x1a, 0xe1])
    s.wire.extended(
      'ut_pex',
      Buffer.from(
        bencode.encode({
          added: compact,
          'added.f': Buffer.from([0x02]),
          dropped: Buffer.alloc(0),
          added6: Buffer.alloc(0),
          'added6.f': Buffer.alloc(0),
          dropped6: Buffer.alloc(0),
        }),
      ),
    )
    await waitFor(() => learned.length === 1)
    expect(learned[0]).toEqual({ host: '192.168.7.9', port: 6881, flags: 0x02 })
  })
})
