// Members-only gate over real TCP: members talk; a stranger, a wrong secret and a replayed transcript
// all fail. The replay test drives the exchange from a hand-written peer that follows docs/PROTOCOL.md.
import { randomBytes } from 'node:crypto'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  GateError,
  PeerHost,
  bdecode,
  bencode,
  createGateExtension,
  dict,
  isDict,
  type BDict,
  type GatePeer,
} from '../src/index.js'
import { echoExtension, newLog, type EchoLog } from './helpers/echo-extension.js'
import { specGateKey, specGateProof, specGateTag } from './helpers/gate-spec.js'
import { connectedPair, waitFor } from './helpers/pair.js'
import {
  extended,
  extendedHandshake,
  handshake,
  parser,
  rawConnect,
  type ParsedStream,
} from './helpers/raw-peer.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

const secret = randomBytes(32)

function member(h: PeerHost, log: EchoLog, s: Uint8Array | undefined = secret, timeoutMs = 2000): void {
  if (s) h.registry.register(createGateExtension({ secret: s, timeoutMs }))
  h.registry.register(echoExtension(log, { membersOnly: true }))
}

describe('members-only gate', () => {
  it('members prove themselves and talk; the public handshake never names members-only extensions', async () => {
    const logs = { server: newLog(), client: newLog() }
    const p = await connectedPair((h, side) => member(h, logs[side]))
    cleanups.push(() => p.close())
    expect([...p.outbound.peerExtendedHandshake!.extensions.keys()]).toEqual(['bb_gate'])
    expect([...p.inbound.peerExtendedHandshake!.extensions.keys()]).toEqual(['bb_gate'])
    await waitFor(() => p.inbound.gateOpen && p.outbound.gateOpen)
    await waitFor(() => logs.client.sessions.length === 1 && logs.server.sessions.length === 1)
    logs.client.sessions[0]!.send('ping', { seq: 1, body: Buffer.from('hi') })
    logs.server.sessions[0]!.send('ping', { seq: 2, body: Buffer.from('yo') })
    await waitFor(() => logs.client.pongs.length === 1 && logs.server.pongs.length === 1)
    expect(logs.server.pings).toEqual([1])
    expect(logs.client.pings).toEqual([2])
    expect(p.server.counters.gateOpened).toBe(1)
    expect(p.client.counters.gateOpened).toBe(1)
  })

  it('a stranger sees only bb_gate, and its guessed members-only messages are ignored and counted', async () => {
    const logs = { server: newLog(), client: newLog() }
    const p = await connectedPair((h, side) =>
      side === 'server' ? member(h, logs.server) : h.registry.register(echoExtension(logs.client)),
    )
    cleanups.push(() => p.close())
    expect([...p.outbound.peerExtendedHandshake!.extensions.keys()]).toEqual(['bb_gate'])
    // Id 1 is bb_gate (garbage there would close the connection); guess the others.
    for (let id = 2; id <= 5; id++)
      p.outbound.sendRawExtended(id, bencode(dict({ msg_type: 0, seq: id, body: Buffer.alloc(1) })))
    await waitFor(() => p.server.counters.membersOnlyIgnored >= 1)
    await new Promise((r) => setTimeout(r, 50))
    expect(logs.server.pings).toEqual([])
    expect(logs.client.pongs).toEqual([])
    expect(p.inbound.closed).toBe(false)
    expect(p.inbound.gateOpen).toBe(false)
  })

  it('a wrong secret fails on both sides and members-only sends are refused', async () => {
    const logs = { server: newLog(), client: newLog() }
    const p = await connectedPair((h, side) =>
      member(h, logs[side], side === 'server' ? secret : randomBytes(32), 300),
    )
    cleanups.push(() => p.close())
    await waitFor(() => p.server.counters.gateFailed === 1 && p.client.counters.gateFailed === 1)
    expect(p.inbound.extension<GatePeer>('bb_gate')!.failure).toBe('bad proof')
    expect(p.outbound.extension<GatePeer>('bb_gate')!.failure).toBe('gate timed out')
    expect(p.inbound.gateOpen || p.outbound.gateOpen).toBe(false)
    expect(logs.client.sessions).toHaveLength(0)
    // The members-only session exists but refuses to send while the gate is closed.
    expect(() => logs.client.created[0]!.send('ping', { seq: 1, body: Buffer.alloc(0) })).toThrow(GateError)
    expect(p.client.counters.gateOpened).toBe(0)
  })

  it('a hand-written peer following PROTOCOL.md gets in; replaying its transcript does not', async () => {
    const log = newLog()
    const ih = randomBytes(20)
    const server = new PeerHost({ acceptInfoHash: (x) => ih.equals(x) })
    member(server, log, secret, 500)
    cleanups.push(() => server.close())
    const { port } = await server.listen()
    const pid = randomBytes(20)
    const K = specGateKey(secret) // the MACs below come from PROTOCOL.md via node:crypto, not src/
    const ourNonce = randomBytes(32)
    const OUR_GATE = 1
    const OUR_ECHO = 2 // so our members dict M is exactly d7:bb_echoi2ee

    const ext = (s: ParsedStream, id: number, type: number): BDict | undefined => {
      for (const m of s.messages) {
        if (m.id !== 20 || m.payload[0] !== id) continue
        const d = bdecode(m.payload.subarray(1))
        if (isDict(d) && d['msg_type'] === type) return d
      }
      return undefined
    }

    // Session 1: a legitimate member, written from the spec.
    const one = await rawConnect(port)
    let s1: ParsedStream = { messages: [] }
    one.socket.on(
      'data',
      parser((s) => (s1 = s)),
    )
    const sent: Buffer[] = []
    const send = (buf: Buffer): void => {
      sent.push(buf)
      one.socket.write(buf)
    }
    one.socket.write(handshake(ih, { peerId: pid }))
    send(extendedHandshake({ m: dict({ bb_gate: OUR_GATE }) }))
    await waitFor(() => ext(s1, OUR_GATE, 0) !== undefined)
    const serverId = s1.handshake!.subarray(48, 68)
    const serverGate = (s1.ext!['m'] as BDict)['bb_gate'] as number
    const theirNonce = ext(s1, OUR_GATE, 0)!['n'] as Uint8Array
    const mine = {
      ih,
      prover: pid,
      verifier: serverId,
      proverNonce: ourNonce,
      verifierNonce: theirNonce,
    }
    send(extended(serverGate, bencode(dict({ msg_type: 0, n: ourNonce }))))
    send(extended(serverGate, bencode(dict({ msg_type: 1, h: specGateProof(K, mine) }))))
    await waitFor(() => ext(s1, OUR_GATE, 2) !== undefined)
    const theirs = {
      ih,
      prover: serverId,
      verifier: pid,
      proverNonce: theirNonce,
      verifierNonce: ourNonce,
    }
    expect(Buffer.from(ext(s1, OUR_GATE, 1)!['h'] as Uint8Array).equals(specGateProof(K, theirs))).toBe(true)
    const serverMembers = ext(s1, OUR_GATE, 2)!['m'] as BDict
    const serverEcho = serverMembers['bb_echo'] as number
    send(
      extended(
        serverGate,
        bencode(
          dict({ msg_type: 2, m: dict({ bb_echo: OUR_ECHO }), h: specGateTag(K, mine, 'd7:bb_echoi2ee') }),
        ),
      ),
    )
    send(extended(serverEcho, bencode(dict({ msg_type: 0, seq: 7, body: Buffer.from('x') }))))
    await waitFor(() => ext(s1, OUR_ECHO, 1) !== undefined)
    expect(server.counters.gateOpened).toBe(1)
    expect(log.pings).toEqual([7])
    one.socket.destroy()

    // Session 2: the same bytes again, same peer id. The server's fresh nonce makes the old proof useless.
    const two = await rawConnect(port)
    let s2: ParsedStream = { messages: [] }
    two.socket.on(
      'data',
      parser((s) => (s2 = s)),
    )
    two.socket.write(handshake(ih, { peerId: pid }))
    for (const buf of sent) two.socket.write(buf)
    await waitFor(() => server.counters.gateFailed === 1 && server.counters.membersOnlyIgnored === 1)
    expect(server.counters.gateOpened).toBe(1)
    expect(log.pings).toEqual([7])
    expect(ext(s2, OUR_GATE, 1)).toBeUndefined() // the server never sent its proof to the replayer
    two.socket.destroy()
  })
})

/**
 * A man in the middle that forwards every byte but puts its own peer ids in the two BEP-3 handshakes,
 * as a relay between two members would have to (or, with `rewrite: false`, a plain TCP forwarder).
 */
async function relay(target: number, rewrite: boolean): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const pipeWithId = (from: Socket, to: Socket): void => {
    let head = Buffer.alloc(0)
    let done = false
    from.on('data', (chunk: Buffer) => {
      if (done) return void to.write(chunk)
      head = Buffer.concat([head, chunk])
      if (head.length < 68) return
      done = true
      if (rewrite) randomBytes(20).copy(head, 48)
      to.write(head)
    })
  }
  const server = createServer((a) => {
    const b = connect(target, '127.0.0.1')
    for (const s of [a, b]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => (a.destroy(), b.destroy()))
    }
    pipeWithId(a, b)
    pipeWithId(b, a)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

describe('members-only gate through a relay', () => {
  async function viaRelay(rewrite: boolean) {
    const ih = randomBytes(20)
    const logs = { a: newLog(), b: newLog() }
    const b = new PeerHost({ acceptInfoHash: (x) => ih.equals(x) })
    member(b, logs.b, secret, 500)
    const a = new PeerHost()
    member(a, logs.a, secret, 500)
    cleanups.push(
      () => b.close(),
      () => a.close(),
    )
    const r = await relay((await b.listen()).port, rewrite)
    cleanups.push(() => r.close())
    const conn = await a.connect({ host: '127.0.0.1', port: r.port }, ih)
    return { a, b, conn }
  }

  it('a relay that must present its own peer ids cannot pass the proofs along', async () => {
    const { a, b, conn } = await viaRelay(true)
    await waitFor(() => b.counters.gateFailed === 1 && a.counters.gateFailed === 1)
    expect(b.counters.gateOpened + a.counters.gateOpened).toBe(0)
    expect(conn.gateOpen).toBe(false)
  })

  it('control: a byte-for-byte forwarder is indistinguishable from the network (documented limit)', async () => {
    const { a, b, conn } = await viaRelay(false)
    await waitFor(() => conn.gateOpen && b.counters.gateOpened === 1)
    expect(a.counters.gateOpened).toBe(1)
    expect(a.counters.gateFailed + b.counters.gateFailed).toBe(0)
  })
})
