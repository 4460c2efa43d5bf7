// The BEP-10 extension framework: codec round-trips for every message type we define, routing by name
// and msg_type over real TCP, per-message caps, and a throwing handler closing only its connection.
import { afterEach, describe, expect, it } from 'vitest'
import {
  CodecError,
  ExtensionRegistry,
  bencode,
  decodePrefix,
  dict,
  gateCodecs,
  isDict,
  metadataCodecs,
  pexCodecs,
  type BDict,
  type MessageCodec,
} from '../src/index.js'
import { echoCodecs, echoExtension, newLog } from './helpers/echo-extension.js'
import { connectedPair, waitFor, type Pair } from './helpers/pair.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

/** Encodes like the dispatcher does (adds msg_type) and decodes back. */
function roundTrip<T>(codec: MessageCodec<T>, value: T): T {
  const { dict: d, trailer } = codec.encode(value)
  const full = codec.msgType === null ? d : dict({ ...d, msg_type: codec.msgType })
  const bytes = Buffer.concat([bencode(full), trailer ?? Buffer.alloc(0)])
  expect(bytes.length).toBeLessThanOrEqual(codec.maxBytes)
  const [decoded, end] = decodePrefix(bytes)
  if (!isDict(decoded)) throw new Error('not a dict')
  if (codec.msgType !== null) expect(decoded['msg_type']).toBe(codec.msgType)
  return codec.decode(decoded, bytes.subarray(end))
}

const b = (n: number, fill = 7): Buffer => Buffer.alloc(n, fill)

describe('codec round-trips', () => {
  it('ut_metadata request / data / reject', () => {
    expect(roundTrip(metadataCodecs.request, { piece: 3 })).toEqual({ piece: 3 })
    expect(roundTrip(metadataCodecs.reject, { piece: 0 })).toEqual({ piece: 0 })
    const data = roundTrip(metadataCodecs.data, { piece: 1, totalSize: 20000, data: b(3616) })
    expect(data.piece).toBe(1)
    expect(data.totalSize).toBe(20000)
    expect(Buffer.from(data.data).equals(b(3616))).toBe(true)
  })

  it('ut_pex with IPv4 and IPv6 peers and flags', () => {
    const msg = {
      added: [
        { host: '10.0.0.1', port: 6881, flags: 0x12 },
        { host: '2001:db8::1', port: 51413, flags: 0x01 },
      ],
      dropped: [
        { host: '192.168.1.9', port: 1 },
        { host: 'fe80::abcd:1', port: 65535 },
      ],
    }
    expect(roundTrip(pexCodecs.pex, msg)).toEqual(msg)
  })

  it('bb_gate hello / proof / members', () => {
    expect(roundTrip(gateCodecs.hello, { nonce: b(32) })).toEqual({ nonce: b(32) })
    expect(roundTrip(gateCodecs.proof, { proof: b(32, 1) })).toEqual({ proof: b(32, 1) })
    const m = { extensions: new Map([['bb_echo', 9]]), tag: b(32, 2) }
    expect(roundTrip(gateCodecs.members, m)).toEqual(m)
  })

  it('bb_echo ping / pong (the framework test extension)', () => {
    expect(roundTrip(echoCodecs.ping, { seq: 5, body: b(10) })).toEqual({ seq: 5, body: b(10) })
    expect(roundTrip(echoCodecs.pong, { seq: 5 })).toEqual({ seq: 5 })
  })

  it('decoders reject wrong types, lengths and ranges', () => {
    const bad: [MessageCodec<unknown>, BDict, Uint8Array?][] = [
      [metadataCodecs.request as MessageCodec<unknown>, dict({ piece: -1 })],
      [metadataCodecs.request as MessageCodec<unknown>, dict({ piece: b(1) })],
      [metadataCodecs.data as MessageCodec<unknown>, dict({ piece: 0 }), b(16385)],
      [metadataCodecs.data as MessageCodec<unknown>, dict({ piece: 0 }), b(0)],
      [pexCodecs.pex as MessageCodec<unknown>, dict({ added: b(7) })],
      [pexCodecs.pex as MessageCodec<unknown>, dict({ added6: b(17) })],
      [gateCodecs.hello as MessageCodec<unknown>, dict({ n: b(31) })],
      [gateCodecs.proof as MessageCodec<unknown>, dict({})],
      [gateCodecs.members as MessageCodec<unknown>, dict({ m: dict({ x: 0 }), h: b(32) })],
      [echoCodecs.ping as MessageCodec<unknown>, dict({ seq: 1, body: b(65) })],
    ]
    for (const [codec, d, trailer] of bad) expect(() => codec.decode(d, trailer ?? b(0))).toThrow(CodecError)
  })
})

describe('routing over TCP', () => {
  async function pair(opts: { throwOn?: number } = {}) {
    const logs = { server: newLog(), client: newLog() }
    const p: Pair = await connectedPair((h, side) => h.registry.register(echoExtension(logs[side], opts)))
    cleanups.push(() => p.close())
    return { p, logs }
  }

  it('ping from the client is answered by the server handler table', async () => {
    const { logs } = await pair()
    await waitFor(() => logs.client.sessions.length === 1 && logs.server.sessions.length === 1)
    for (let seq = 1; seq <= 3; seq++) logs.client.sessions[0]!.send('ping', { seq, body: b(4) })
    await waitFor(() => logs.client.pongs.length === 3)
    expect(logs.server.pings).toEqual([1, 2, 3])
    expect(logs.client.pongs).toEqual([1, 2, 3])
  })

  it('a throwing handler closes that connection only', async () => {
    const a = await pair({ throwOn: 13 })
    const other = await pair({ throwOn: 13 })
    await waitFor(() => a.logs.client.sessions.length === 1 && other.logs.client.sessions.length === 1)
    a.logs.client.sessions[0]!.send('ping', { seq: 13, body: b(1) })
    await waitFor(() => a.p.inbound.closed)
    expect(a.p.inbound.closeInfo).toMatchObject({ reason: 'handler-error', detail: 'handler exploded' })
    other.logs.client.sessions[0]!.send('ping', { seq: 1, body: b(1) })
    await waitFor(() => other.logs.client.pongs.length === 1)
    expect(other.p.inbound.closed).toBe(false)
  })

  it('over-cap messages close the connection, unknown msg_type and unknown ids are ignored and counted', async () => {
    const { p, logs } = await pair()
    await waitFor(() => logs.client.sessions.length === 1)
    const id = p.outbound.peerExtendedHandshake!.extensions.get('bb_echo')!
    p.outbound.sendRawExtended(id, bencode(dict({ msg_type: 9 })))
    p.outbound.sendRawExtended(200, bencode(dict({ msg_type: 0 })))
    await waitFor(() => p.server.counters.unknownMsgType === 1 && p.server.counters.unknownExtended === 1)
    expect(p.inbound.closed).toBe(false)
    p.outbound.sendRawExtended(id, bencode(dict({ msg_type: 0, seq: 1, body: b(200) })))
    await waitFor(() => p.inbound.closed)
    expect(p.inbound.closeInfo!.reason).toBe('protocol-error')
  })

  it('extensions cannot be registered once connections exist', async () => {
    const { p } = await pair()
    expect(() => p.server.registry.register(echoExtension(newLog(), { name: 'bb_late' }))).toThrow(
      /before the first connection/,
    )
    expect(() => new ExtensionRegistry().register(echoExtension(newLog(), { name: 'bad name' }))).toThrow()
  })
})
