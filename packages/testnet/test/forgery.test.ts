// The forgery file (issue 16, R3): every forgery our protocols let a stranger or a member try, over
// real sockets on 127.0.0.1, each checked to be refused, to store nothing, and to be counted. Most
// cases are covered in depth elsewhere (named in each describe); this file is the one place that
// tries them all, so a new protocol adds its forgery here.
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import {
  DhtNode,
  createDhtTestnet,
  generateKeyPair,
  mutableTarget,
  sign,
  signatureBuffer,
  type BDict as KrpcDict,
  type DhtTestnet,
} from '@bbmesh/dht'
import { openIndex, type PooledIndex } from '@bbmesh/index'
import {
  CatalogPublisher,
  mintPublisherKey,
  readCatalog,
  resolveCatalog,
  type CatalogEntry,
} from '@bbmesh/catalog'
import { NEAR_METHOD, NearServer, membersProtocol, nearMac, relayProtocol } from '@bbmesh/mesh'
import {
  ExtensionRegistry,
  MemoryStorage,
  bencode,
  PeerHost,
  PieceServer,
  createGateExtension,
  dict,
  layoutFromInfo,
  type ExtensionDefinition,
  type ExtensionSession,
} from '@bbmesh/wire'
import type { MembersMessages } from '@bbmesh/mesh'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Community, until, type Member } from './forgery/members.js'
import {
  extended,
  handshake,
  krpcCode,
  recordingProxy,
  tcpPeer,
  udpPeer,
  type UdpPeer,
} from './forgery/raw-peers.js'

let dhtNet: DhtTestnet
let udp: UdpPeer
const community = new Community()
const closers: (() => Promise<void>)[] = []

beforeAll(async () => {
  dhtNet = await createDhtTestnet(6)
  udp = await udpPeer()
}, 30_000)
afterAll(async () => {
  for (const c of closers.reverse()) await c()
  await community.close()
  await udp?.close()
  await dhtNet?.destroy()
})

/** A DhtNode of our own on 127.0.0.1 that joined nobody: every item it holds came from the test. */
async function loneNode(): Promise<DhtNode> {
  const n = new DhtNode({ bootstrap: false, rateLimit: false })
  closers.push(() => n.destroy())
  await n.listen(0, '127.0.0.1')
  return n
}

describe('BEP 44 forgeries put to our DhtNode from a raw UDP socket (deeper: dht/test/bep44.test.ts)', () => {
  it('refuses a bad signature, a wrong salt, an oversized v, a seq rollback and a CAS mismatch; stores none', async () => {
    const n = await loneNode()
    const port = n.address()!.port
    const kp = generateKeyPair()
    let t = 0
    const ask = (q: string, a: Record<string, unknown>): Promise<KrpcDict | undefined> =>
      udp.request({ t: Buffer.from(`f${t++}`), y: 'q', q, a: { id: randomBytes(20), ...a } }, port)
    const signed = (seq: number, v: string, salt?: Buffer): Buffer =>
      sign(signatureBuffer(seq, v, salt), kp.secretKey)
    const token = ((await ask('get', { target: mutableTarget(kp.publicKey) }))!.r as KrpcDict).token
    const put = (a: Record<string, unknown>): Promise<number | undefined> =>
      ask('put', { token, k: kp.publicKey, ...a }).then(krpcCode)

    const slot = Buffer.from('slot')
    const other = Buffer.from('other')
    expect(await put({ v: 'x', seq: 1, sig: randomBytes(64) }), 'bad signature').toBe(206)
    // Signed for one salt, sent under another: the signature covers the salt (BEP 44), so it fails.
    expect(await put({ v: 'x', seq: 1, salt: other, sig: signed(1, 'x', slot) }), 'wrong salt').toBe(206)
    expect(await put({ v: 'y'.repeat(1001), seq: 1, sig: signed(1, 'y'.repeat(1001)) }), 'oversized v').toBe(
      205,
    )
    expect(n.stats().storedItems).toBe(0)
    expect(n.hasItem(mutableTarget(kp.publicKey, other))).toBe(false)
    expect(n.hasItem(mutableTarget(kp.publicKey, slot))).toBe(false)

    // The genuine item at seq 4 (control), then forgeries against it that are validly signed.
    expect(await put({ v: 'four', seq: 4, salt: slot, sig: signed(4, 'four', slot) })).toBeUndefined()
    expect(await put({ v: 'old', seq: 3, salt: slot, sig: signed(3, 'old', slot) }), 'seq rollback').toBe(302)
    expect(
      await put({ v: 'cas', seq: 5, cas: 3, salt: slot, sig: signed(5, 'cas', slot) }),
      'CAS mismatch',
    ).toBe(301)
    const got = (await ask('get', { target: mutableTarget(kp.publicKey, slot) }))!.r as KrpcDict
    expect([(got.v as Buffer).toString(), got.seq]).toEqual(['four', 4])
    expect(n.stats().storedItems).toBe(1)
    expect(n.stats().putsRefused).toEqual({ 205: 1, 206: 2, 301: 1, 302: 1 })
  })
})

describe('bb_near without a valid MAC (deeper: mesh/test/near/near.test.ts)', () => {
  it('answers no MAC and a wrong MAC like a node without the method, reveals nothing, counts both', async () => {
    const n = await loneNode()
    for (let i = 0; i < 20; i++) n.storePeer(randomBytes(20), { host: '127.0.0.1', port: 6881 })
    const server = new NearServer({ key: community.keys.nearMacKey, dht: n })
    server.start()
    closers.push(async () => server.stop())
    const id = randomBytes(20)
    const target = randomBytes(20)
    const q = (t: string, mac?: Buffer): Record<string, unknown> => ({
      t: Buffer.from(t),
      y: 'q',
      q: NEAR_METHOD,
      a: { id, target, ...(mac && { mac }) },
    })
    const port = n.address()!.port
    for (const [t, mac] of [
      ['n1', undefined],
      ['n2', randomBytes(32)],
      ['n3', nearMac(randomBytes(32), Buffer.from('n3'), target, id)],
    ] as const) {
      const reply = await udp.request(q(t, mac), port)
      expect(krpcCode(reply), t).toBe(204)
      expect(reply!.r, t).toBeUndefined()
    }
    expect(server.counters).toMatchObject({ rejected: 3, answered: 0 })
    // Control: the member's MAC is answered.
    const ok = await udp.request(
      q('n4', nearMac(community.keys.nearMacKey, Buffer.from('n4'), target, id)),
      port,
    )
    expect(ok!.y!.toString()).toBe('r')
    expect(server.counters.answered).toBe(1)
  })
})

/** Catalog entries enough for a few shards. */
function entries(n: number): CatalogEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    infohashV1: randomBytes(20).toString('hex'),
    infohashV2: null,
    name: new Uint8Array(Buffer.from(`forgery ${i}`)),
    totalSize: 1000 + i,
    pieceLength: 16384,
    private: false,
    files: [{ path: new Uint8Array(Buffer.from(`f${i}.bin`)), size: 1000 + i, piecesRoot: null }],
    source: 'import',
    firstSeen: '2026-01-01T00:00:00Z',
  }))
}

describe('catalog shards that do not match their roots (deeper: catalog/test/publish-resolve.test.ts)', () => {
  it('a seed serving a tampered shard is refused by hash; the resolver imports nothing', async () => {
    const dir = async (): Promise<string> => {
      const d = await mkdtemp(join(tmpdir(), 'bbmesh-forgery-'))
      closers.push(() => rm(d, { recursive: true, force: true }))
      return d
    }
    const node = async (): Promise<DhtNode> => {
      const n = new DhtNode({
        bootstrap: dhtNet.bootstrap,
        rateLimit: false,
        outboundQueriesPerSecond: false,
      })
      closers.push(() => n.destroy())
      await n.listen(0, '127.0.0.1')
      await n.bootstrap()
      return n
    }
    const pubDir = await dir()
    const key = await mintPublisherKey(pubDir)
    const publisher = new CatalogPublisher({
      dht: await node(),
      key,
      dataDir: pubDir,
      host: '127.0.0.1',
      salt: 'library',
      build: { sharded: true, shardTargetEntries: 100 },
    })
    closers.push(() => publisher.stop())
    const published = await publisher.publish(entries(600))
    const built = publisher.catalog!
    await publisher.stop() // only the liar seeds from here on
    const shard = [...built.files.keys()].find((p) => p.startsWith('shards/'))!
    const tampered = new Map(built.files)
    const bytes = new Uint8Array(tampered.get(shard)!)
    const mid = bytes.length >> 1
    bytes[mid] = bytes[mid]! ^ 1
    tampered.set(shard, bytes)
    // Offline: the reader refuses the file against its pieces root.
    expect(() => readCatalog(built.torrent.info, tampered)).toThrow(/does not match/)

    const liar = new PieceServer()
    liar.add(built.torrent.info, MemoryStorage.seed(layoutFromInfo(built.torrent.info), tampered))
    const liarPort = (await liar.listen(0, '127.0.0.1')).port
    closers.push(() => liar.close())
    const resDht = await node()
    await resDht.announce(Buffer.from(published.infohash, 'hex'), liarPort)
    const index: PooledIndex = await openIndex({ path: ':memory:' })
    closers.push(() => index.close())
    await expect(
      resolveCatalog({
        dht: resDht,
        index,
        dataDir: await dir(),
        publicKey: key.publicKey,
        salt: 'library',
        timeoutMs: 5_000,
      }),
    ).rejects.toMatchObject({ code: 'FETCH_FAILED', message: expect.stringMatching(/verification/) })
    expect((await index.stats()).torrents).toBe(0)
  })
})

describe('member protocols on a real community link', { timeout: 60_000 }, () => {
  const held = bencode(
    dict({ length: 1, name: Buffer.from('x'), 'piece length': 16384, pieces: randomBytes(20) }),
  )
  let a: Member
  let liar: Member

  beforeAll(async () => {
    a = await community.add(dhtNet.bootstrap, async () => undefined)
    // The liar answers every want with a dict of the right shape and the wrong content.
    liar = await community.add(dhtNet.bootstrap, async () => Buffer.from(held), {
      hints: [{ host: '127.0.0.1', port: a.mesh.host.port! }],
    })
    await until('A linked to the liar', 30_000, () => [...a.relay.links].some((l) => l.ready))
  }, 40_000)

  it('relayed metadata with the wrong hash is refused, counted, and its sender banned (deeper: mesh/test/relay/relay.test.ts)', async () => {
    for (let i = 0; i < 2; i++) expect(await a.relay.fetch(randomBytes(20))).toBeUndefined()
    expect(a.relay.counters).toMatchObject({ badHash: 2, banned: 1, relayedIn: 0 })
    expect(liar.relay.counters.served).toBeGreaterThanOrEqual(2)
  })

  it('a gate replay: a recorded member transcript sent again by a hand-written peer fails the gate, stores nothing (deeper: wire/test/gate.test.ts)', async () => {
    const proxy = await recordingProxy(a.mesh.host.port!)
    closers.push(() => proxy.close())
    const nodeId = randomBytes(20)
    // Session 1, a genuine member through the proxy: gate, then a bb_members hello naming nodeId.
    let hello: (s: ExtensionSession<MembersMessages>) => void = () => undefined
    const heard = new Promise<ExtensionSession<MembersMessages>>((r) => (hello = r))
    let session: ExtensionSession<MembersMessages> | undefined
    const rawMembers: ExtensionDefinition<MembersMessages> = {
      protocol: membersProtocol,
      create: (s) => ({ handlers: { hello: () => session && hello(session) }, onReady: () => (session = s) }),
    }
    const registry = new ExtensionRegistry()
    registry.register(createGateExtension({ secret: community.keys.gateSecret, timeoutMs: 3_000 }))
    registry.register(rawMembers)
    const host = new PeerHost({ registry })
    closers.push(() => host.close())
    const conn = await host.connect({ host: '127.0.0.1', port: proxy.port }, a.mesh.rendezvous.todayHash(), {
      timeoutMs: 5_000,
    })
    const s = await heard
    s.send('hello', { version: 1, nodeId, wirePort: 9, dhtPort: 0, caps: 0 })
    const id = nodeId.toString('hex')
    await until('session 1 stored', 10_000, () => a.mesh.table.get(id)?.connected === true)
    conn.close('test done')
    await until('session 1 gone', 10_000, () => a.mesh.table.get(id)?.connected === false)
    const c = a.mesh.host.counters
    const [failed, ignored, opened] = [c.gateFailed, c.membersOnlyIgnored, c.gateOpened]

    // Session 2: the same client bytes, written raw. A's fresh nonce makes the recorded proof wrong.
    const replay = await tcpPeer(a.mesh.host.port!)
    closers.push(async () => void replay.socket.destroy())
    replay.socket.write(Buffer.concat(proxy.sent[0]!))
    await until('the replay refused', 10_000, () => c.gateFailed === failed + 1)
    // The mesh closes a link whose gate failed, so the hello behind the proof is never read.
    await Promise.race([replay.closed, new Promise((r) => setTimeout(r, 10_000))])
    expect(replay.socket.destroyed).toBe(true)
    expect(c.membersOnlyIgnored).toBe(ignored)
    expect(c.gateOpened).toBe(opened)
    expect(a.mesh.table.get(id)?.connected).toBe(false)
    replay.socket.destroy()
  })

  it('bb_* messages from a stranger (no gate) are ignored and counted; nothing reaches the table or the relay', async () => {
    const ids = (name: string): number => a.mesh.host.registry.get(name)!.localId
    const c = a.mesh.host.counters
    const ignored = c.membersOnlyIgnored
    const requestsIn = a.relay.counters.requestsIn
    const stranger = await tcpPeer(a.mesh.host.port!)
    closers.push(async () => void stranger.socket.destroy())
    const nodeId = randomBytes(20)
    // The stranger knows A's local ids (the worst case): it sends well-formed members-only messages.
    stranger.socket.write(
      Buffer.concat([
        handshake(a.mesh.rendezvous.todayHash()),
        extended(0, { m: dict({}) }),
        extended(ids(membersProtocol.name), { msg_type: 0, v: 1, i: nodeId, p: 9, d: 0 }),
        extended(ids(relayProtocol.name), { msg_type: 0, q: 1, i: randomBytes(20), n: 0 }),
      ]),
    )
    await until('both ignored', 10_000, () => c.membersOnlyIgnored >= ignored + 2)
    expect(a.mesh.table.get(nodeId.toString('hex'))).toBeUndefined()
    expect(a.relay.counters.requestsIn).toBe(requestsIn)
    stranger.socket.destroy()
    await once(stranger.socket, 'close')
  })
})
