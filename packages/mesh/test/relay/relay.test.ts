// The metadata relay between members over real loopback sockets: a member gets a verified info dict
// (several 16 KiB pieces) from another member; a member that serves altered dicts is caught by hash,
// nothing it sent is returned, and after two strikes it is banned and its link closed.
import { createHash, randomBytes } from 'node:crypto'
import { bencode } from '@bbmesh/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MetadataRelay } from '../../src/relay/relay.js'
import { createNet, until, type Net } from '../bus/net.js'
import { Members, newKeys, type TestMember } from '../membership/harness.js'

/** A real-shaped info dict of `pieces` pieces (its `pieces` field makes it large). */
function infoDict(name: string, pieces: number): { info: Buffer; ih: Buffer } {
  const info = Buffer.from(
    bencode({
      length: pieces * 16384,
      name: Buffer.from(name),
      'piece length': 16384,
      pieces: randomBytes(20 * pieces),
    }),
  )
  return { info, ih: createHash('sha1').update(info).digest() }
}

/** Distinct members a relay is linked to. */
const members_ = (r: MetadataRelay): number => new Set([...r.links].map((l) => l.who)).size

let net: Net
const members = new Members()
const relays = new Map<TestMember, MetadataRelay>()
const held = new Map<string, Buffer>() // what the honest member holds
const big = infoDict('big', 2000) // 40 kB: three relay pieces
const small = infoDict('small', 3)
const unknown = [infoDict('nobody-a', 1), infoDict('nobody-b', 1)]
let honest: TestMember, liar: TestMember, asker: TestMember

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 6 })
  const keys = newKeys()
  held.set(big.ih.toString('hex'), big.info)
  held.set(small.ih.toString('hex'), small.info)
  const boot = `127.0.0.1:${net.stocks[0]!.address().port}`
  const add = async (lookup: (ih: Uint8Array) => Promise<Uint8Array | undefined>): Promise<TestMember> => {
    const relay = new MetadataRelay({ lookup, timeoutMs: 5_000 })
    const m = await members.add(keys, boot, { registerExtensions: (r) => r.register(relay.definition()) })
    relays.set(m, relay)
    return m
  }
  honest = await add(async (ih) => held.get(Buffer.from(ih).toString('hex')))
  // The liar answers every request with a dict of the right size and the wrong content.
  liar = await add(async () => {
    const d = Buffer.from(small.info)
    d[d.length - 2] ^= 0xff
    return d
  })
  asker = await add(async () => undefined)
  // Two members, however many links: the mesh may hold a second link to one of them for a while.
  await until('linked', 30_000, () => members_(relays.get(asker)!) === 2)
}, 60_000)
afterAll(async () => {
  await members.close()
  await net?.destroy()
})

describe('bb_relay', { timeout: 60_000 }, () => {
  it('relays a multi-piece info dict from a member that holds it, verified', async () => {
    const got = await relays.get(asker)!.fetch(big.ih)
    expect(got && Buffer.from(got).equals(big.info)).toBe(true)
    expect(relays.get(honest)!.counters.piecesOut).toBeGreaterThanOrEqual(3)
  })

  it('a lying member is caught by hash, never believed, then banned and disconnected', async () => {
    const r = relays.get(asker)!
    // A request can be lost to a duplicate link the mesh closes meanwhile (no strike then): ask
    // until the ban, a bounded number of times.
    for (let i = 0; i < 6 && r.counters.banned === 0; i++)
      expect(await r.fetch(unknown[i % unknown.length]!.ih)).toBeUndefined()
    expect(r.counters.badHash).toBe(2)
    expect(r.counters.banned).toBe(1)
    await until('liar link closed', 10_000, () => members_(r) === 1)
    // The honest member still answers, and only it is asked now.
    const before = relays.get(liar)!.counters.requestsIn
    const got = await r.fetch(small.ih)
    expect(got && Buffer.from(got).equals(small.info)).toBe(true)
    expect(relays.get(liar)!.counters.requestsIn).toBe(before)
  })
})
