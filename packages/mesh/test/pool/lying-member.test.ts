// A lying member over real loopback links, against a member running a real harvester, index, pool
// and relay. The liar serves altered info dicts (caught by hash: nothing unverified is stored), hands
// over sightings that never fetch and then junk ones; the pool counts them, demotes it, bans it
// (closing its links, banning it on the relay too, refusing it when the mesh dials again); the
// honest member's torrents still reach the victim's index, before and after.
import { createHash, randomBytes } from 'node:crypto'
import { openIndex, type PooledIndex } from '@bbmesh/index'
import { bencode, type ExtensionSession } from '@bbmesh/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dhtNodeAdapter } from '../../src/adapters/dht-node.js'
import { createWireFetcher, type WireFetcher } from '../../src/adapters/wire-fetcher.js'
import { createHarvester, type Harvester } from '../../src/harvester/harvester.js'
import { poolProtocol, type PoolMessages, type PooledSighting } from '../../src/pool/codec.js'
import { SamplePool } from '../../src/pool/pool.js'
import { MetadataRelay } from '../../src/relay/relay.js'
import { createNet, until, type Net } from '../bus/net.js'
import { Members, newKeys } from '../membership/harness.js'

function infoDict(name: string): { info: Buffer; ih: Buffer } {
  const info = Buffer.from(
    bencode({ length: 3 * 16384, name: Buffer.from(name), 'piece length': 16384, pieces: randomBytes(60) }),
  )
  return { info, ih: createHash('sha1').update(info).digest() }
}

let net: Net
const members = new Members()
let index: PooledIndex
let fetcher: WireFetcher
let harvester: Harvester
let victimPool: SamplePool, victimRelay: MetadataRelay, honestPool: SamplePool
const honest = [infoDict('h1'), infoDict('h2'), infoDict('h3'), infoDict('h4')]
const liarOnly = infoDict('liar-only')
const held = new Map(honest.map((t) => [t.ih.toString('hex'), t.info]))
/** The liar's raw bb_pool sessions (it speaks the codec by hand), and its own peer id. */
const raws: { session: ExtensionSession<PoolMessages>; closed: boolean }[] = []
let liarWho = ''
let victimWho = ''
/** The liar's open bb_pool sessions to the victim (it has some to the honest member too). */
const sessions = (): ExtensionSession<PoolMessages>[] =>
  raws
    .filter((r) => !r.closed && Buffer.from(r.session.peer.peerId ?? []).toString('hex') === victimWho)
    .map((r) => r.session)
const liarSend = <K extends keyof PoolMessages>(type: K, v: PoolMessages[K]): void => {
  for (const s of sessions()) s.send(type, v)
}
const stored = async (ih: Buffer): Promise<Buffer | undefined> => {
  const m = await index.metadataFor(ih)
  return m && Buffer.from(m)
}
const relayMembers = (): Set<string> => new Set([...victimRelay.links].map((l) => l.who))

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 4 })
  const keys = newKeys()
  const boot = `127.0.0.1:${net.stocks[0]!.address().port}`
  index = await openIndex({ path: ':memory:' })
  victimRelay = new MetadataRelay({ lookup: (ih) => index.metadataFor(ih), timeoutMs: 5_000, banAfter: 3 })
  // Windows of 8 outcomes (default 64) so a short test can judge.
  victimPool = new SamplePool({
    nodeId: randomBytes(20),
    relay: victimRelay,
    flushMs: 20,
    standing: { judgeEvery: 8 },
  })
  const victim = await members.add(keys, boot, {
    registerExtensions: (r) => {
      r.register(victimRelay.definition())
      const def = victimPool.definition()
      r.register({
        ...def,
        create: (session, link) => (
          (victimWho = Buffer.from(link.localPeerId).toString('hex')),
          def.create(session, link)
        ),
      })
    },
  })
  fetcher = createWireFetcher({ dhtPort: victim.dht.address()!.port })
  harvester = createHarvester({
    dht: dhtNodeAdapter(victim.dht),
    fetcher,
    index,
    pool: victimPool,
    onIngested: (ts) => victimPool.announceTorrents(ts),
    discoveryIntervalMs: 5_000,
    samplesPerSecond: 5,
    sampleTimeoutMs: 2_000,
    minSampleIntervalS: 60,
    fetchAttempts: 1,
    lookupTimeoutMs: 3_000,
    peerTimeoutMs: 2_000,
    persistFlushMs: 50,
  })
  victimPool.attach(harvester)
  harvester.start()
  const honestRelay = new MetadataRelay({ lookup: async (ih) => held.get(Buffer.from(ih).toString('hex')) })
  honestPool = new SamplePool({ nodeId: randomBytes(20), relay: honestRelay, flushMs: 20 })
  await members.add(keys, boot, {
    registerExtensions: (r) => {
      r.register(honestRelay.definition())
      r.register(honestPool.definition())
    },
  })
  // The liar: a real relay that alters every dict it serves, and a hand-driven bb_pool.
  const liarRelay = new MetadataRelay({
    lookup: async (ih) => {
      const d = Buffer.from(held.get(Buffer.from(ih).toString('hex')) ?? liarOnly.info)
      d[d.length - 2] ^= 0xff
      return d
    },
  })
  await members.add(keys, boot, {
    registerExtensions: (r) => {
      r.register(liarRelay.definition())
      r.register({
        protocol: poolProtocol,
        create: (session, link) => {
          liarWho = Buffer.from(link.localPeerId).toString('hex')
          const entry = { session, closed: false }
          return {
            handlers: {},
            onReady: () => {
              raws.push(entry)
              session.send('hello', { version: 1, nodeId: randomBytes(20), points: 1 })
            },
            onClose: () => void (entry.closed = true),
          }
        },
      })
    },
  })
  await until(
    'the victim pools with both',
    30_000,
    () => victimPool.members === 2 && relayMembers().size === 2,
  )
  await until('the honest member pools with the victim', 30_000, () => honestPool.members >= 1)
  // Let the mesh settle which of two crossed dials it keeps.
  await new Promise((r) => setTimeout(r, 1_000))
}, 90_000)
afterAll(async () => {
  await harvester?.stop()
  await members.close()
  await fetcher?.close()
  await index?.close()
  await net?.destroy()
})

describe('a lying member', { timeout: 60_000 }, () => {
  it('serves altered dicts: caught by hash, nothing unverified stored; the honest copies are', async () => {
    honestPool.announce(honest.slice(0, 3).map((t) => t.ih))
    // (Honest first: a liar's claim that arrives first makes that fetch fail, and the failure cache
    // then holds the honest copy back for its TTL; see the pool's README.)
    await until('the honest haves arrived', 10_000, () => victimPool.counters.haveIn >= 3)
    // It claims the liar-only torrent and an honest one, and serves both altered.
    liarSend('have', { infohashes: [liarOnly.ih, honest[0]!.ih] })
    await until('the honest torrents relayed and indexed', 30_000, async () => {
      for (const t of honest.slice(0, 3)) if ((await stored(t.ih)) === undefined) return false
      return victimRelay.counters.badHash >= 1
    })
    for (const t of honest.slice(0, 3)) expect((await stored(t.ih))!.equals(t.info)).toBe(true)
    await until(
      'the liar-only torrent given up',
      20_000,
      () => harvester.stats().fetch.failed['no-peers'] >= 1,
    )
    expect(await stored(liarOnly.ih)).toBeUndefined()
    expect(victimRelay.isBanned(liarWho)).toBe(false) // under the relay's own bound (3) so far
  })

  it('hands over sightings that never fetch: counted, and a strike once a window is judged', async () => {
    const dead: PooledSighting[] = Array.from({ length: 8 }, () => ({
      infohash: randomBytes(20),
      via: 'get_peers',
    }))
    liarSend('sightings', { entries: dead })
    await until(
      'the dead sightings judged',
      30_000,
      () => victimPool.standing.counters.memberUnfetchable >= 8,
    )
    expect(victimPool.standing.counters.strikes).toBe(1)
    expect(victimPool.standing.isDemoted(liarWho)).toBe(false)
  })

  it('forwards junk: refused and counted, demoted, then banned, its links closed and refused again', async () => {
    const junk = (): PooledSighting[] => [
      { infohash: randomBytes(20), via: 'sample', storer: { host: '239.0.0.1', port: 9 } }, // multicast
      { infohash: randomBytes(20), via: 'get_peers', peer: { host: '0.0.0.7', port: 9 } },
    ]
    const before = victimPool.counters.received
    for (let i = 0; i < 2; i++) liarSend('sightings', { entries: junk() })
    await until('demoted', 10_000, () => victimPool.standing.isDemoted(liarWho))
    expect(victimPool.counters.received).toBe(before) // nothing of it was offered
    expect(victimPool.standing.counters).toMatchObject({ junkEntries: 4, junkMessages: 2, demoted: 1 })
    for (let i = 0; i < 3; i++) liarSend('sightings', { entries: junk() })
    await until(
      'banned and disconnected',
      10_000,
      () => victimPool.standing.isBanned(liarWho) && sessions().length === 0,
    )
    expect(victimPool.standing.counters.banned).toBe(1)
    expect(victimRelay.isBanned(liarWho)).toBe(true) // no dicts asked of it or served to it either
    await until('the relay link to it closed', 10_000, () => !relayMembers().has(liarWho))
    expect(victimPool.members).toBe(1)
    expect(victimPool.counters.received).toBe(before)
  })

  it('the honest member still gets its data through after the ban', async () => {
    await new Promise((r) => setTimeout(r, 1_000)) // the mesh may dial the liar again meanwhile
    honestPool.announce([honest[3]!.ih])
    await until(
      'the fourth honest torrent indexed',
      30_000,
      async () => (await stored(honest[3]!.ih)) !== undefined,
    )
    expect((await stored(honest[3]!.ih))!.equals(honest[3]!.info)).toBe(true)
    expect(victimPool.members).toBe(1)
    expect(relayMembers().has(liarWho)).toBe(false)
    expect(await stored(liarOnly.ih)).toBeUndefined()
  })
})
