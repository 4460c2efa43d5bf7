// Federated search over real loopback sockets: 16 members, each holding a different slice of one
// generated library (some torrents on two or three members), answer a member's query over bb_search.
// The merged answer is exactly what one index holding the whole library finds, each torrent once,
// within the deadline; a silent member and one answering garbage change nothing for the others, and
// the garbage one loses weight and is banned. A stranger cannot query a member.
import { once } from 'node:events'
import { connect } from 'node:net'
import Protocol from 'bittorrent-protocol'
import type { PooledIndex, SearchQuery } from '@bbmesh/index'
import { bencode } from '@bbmesh/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FederatedSearch } from '../../src/search/federated-search.js'
import { createNet, until, type Net } from '../bus/net.js'
import { Members, newKeys, type TestMember } from '../membership/harness.js'
import { generateLibrary, tempIndexes, type TempIndexes } from './library.js'

const MEMBERS = 16
const library = generateLibrary(1_200)
const keys = newKeys()
let net: Net
let indexes: TempIndexes
let union: PooledIndex
const members = new Members()
const searches = new Map<TestMember, FederatedSearch>()
let asker: TestMember
let silent: TestMember
let liar: TestMember

const idOf = (m: TestMember): string => Buffer.from(m.mesh.host.peerId).toString('hex')
const hashes = (hits: { infohashV1: string | null }[]): string[] => hits.map((h) => h.infohashV1!).sort()

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 4 })
  indexes = await tempIndexes()
  union = await indexes.open(library)
  const boot = `127.0.0.1:${net.stocks[0]!.address().port}`
  const add = async (search: FederatedSearch, hints: number[] = [], wide = false): Promise<TestMember> => {
    const m = await members.add(keys, boot, {
      registerExtensions: (r) => r.register(search.definition()),
      hints: hints.map((port) => ({ host: '127.0.0.1', port })),
      ...(wide && { targetConnections: 24, maxConnections: 28 }),
    })
    searches.set(m, search)
    return m
  }
  // The asker holds nothing: its answer is the members' alone.
  asker = await add(new FederatedSearch(), [], true)
  const port = asker.mesh.host.port!
  for (let k = 0; k < MEMBERS; k++) {
    // Torrent i lives on member i % 16; every 7th also on the next member, every 11th on the one after.
    const slice = library.filter(
      (_, i) =>
        i % MEMBERS === k ||
        (i % 7 === 0 && (i + 1) % MEMBERS === k) ||
        (i % 11 === 0 && (i + 2) % MEMBERS === k),
    )
    const index = await indexes.open(slice)
    await add(new FederatedSearch({ local: (q) => index.search(q) }), [port])
  }
  // Silent: takes the query and never answers. Liar: answers every query with torrents matching none.
  silent = await add(new FederatedSearch({ local: () => new Promise(() => undefined) }), [port])
  const junk = await indexes.open(
    generateLibrary(30, 99).map((t, i) => ({
      ...t,
      name: `zzqx.spam.${i}`,
      files: [{ path: `zzqx${i}.exe`, size: 1 }],
    })),
  )
  liar = await add(new FederatedSearch({ local: () => junk.search({ text: 'zzqx' }) }), [port])
  await until(
    `${MEMBERS + 2} members linked to the asker`,
    60_000,
    () => searches.get(asker)!.members === MEMBERS + 2,
  )
}, 120_000)
afterAll(async () => {
  await members.close()
  await net?.destroy()
  await indexes?.close()
})

const QUERIES: SearchQuery[] = [
  { text: 'aurora basalt' },
  { text: 'cobalt 2019' },
  { text: 'juniper', extension: 'flac' },
  { text: 'ember', minSize: 1_000_000_000, maxSize: 2_000_000_000 },
  { text: 'fjord.granite' },
]

describe('bb_search on loopback (16 members + a silent and a lying one)', { timeout: 90_000 }, () => {
  it('returns exactly the union index matches, once each, within the deadline', async () => {
    const s = searches.get(asker)!
    for (const q of QUERIES) {
      const expected = await union.search({ ...q, limit: 100 })
      expect(expected.total).toBeGreaterThan(0)
      expect(expected.total).toBeLessThan(100) // so the whole match set fits one answer
      const got = await s.search({ ...q, limit: 100, deadlineMs: 3_000 })
      expect(hashes(got.hits)).toEqual(hashes(expected.hits))
      expect(new Set(hashes(got.hits)).size).toBe(got.hits.length)
      // The deadline bounds the wait even though one member never answers.
      expect(got.elapsedMs).toBeLessThan(3_000 + 1_000)
      const byMember = new Map(got.members.map((a) => [a.member, a]))
      expect(byMember.get(idOf(silent))?.status).toBe('timeout')
      const answered = got.members.filter((a) => a.status === 'answered')
      expect(answered.length).toBeGreaterThanOrEqual(MEMBERS)
      // Torrents on several members say so.
      for (const h of got.hits) {
        const i = Number(/-(\d+)$/.exec(h.name)![1])
        const holders = 1 + (i % 7 === 0 ? 1 : 0) + (i % 11 === 0 ? 1 : 0)
        expect(h.members).toBe(holders)
      }
    }
  })

  it('drops the lying member’s hits, weighs it down and bans it', async () => {
    const s = searches.get(asker)!
    const liarId = idOf(liar)
    expect(s.counters.implausible).toBeGreaterThan(0)
    expect(s.weightOf(liarId)).toBeLessThan(1)
    await until('liar banned', 10_000, () => s.counters.banned === 1)
    await until('liar link closed', 10_000, () => s.members === MEMBERS + 1)
    const q = { text: 'delta indigo', limit: 100 }
    const got = await s.search({ ...q, deadlineMs: 2_000 })
    expect(got.members.some((a) => a.member === liarId)).toBe(false)
    expect(hashes(got.hits)).toEqual(hashes((await union.search(q)).hits))
  })

  it('drops a duplicate delivery of one query id', async () => {
    const [honest, hs] = [...searches.entries()].find(([m]) => m !== asker && m !== silent && m !== liar)!
    const link = [...searches.get(asker)!.links].find((l) => l.ready && l.who === idOf(honest))!
    const before = { in: hs.counters.queriesIn, dup: hs.counters.duplicates, answered: hs.counters.answered }
    let pages = 0
    const count = { onPage: () => void pages++, onBusy: () => undefined, onClosed: () => undefined }
    link.ask({ id: 7, text: 'aurora', limit: 5, deadlineMs: 1_000 }, count)
    link.ask({ id: 7, text: 'aurora', limit: 5, deadlineMs: 1_000 }, count)
    await until('both copies arrived', 10_000, () => hs.counters.queriesIn >= before.in + 2)
    await until('one answer', 10_000, () => pages === 1)
    link.forget(7)
    expect(hs.counters.duplicates).toBe(before.dup + 1)
    expect(hs.counters.answered).toBe(before.answered + 1)
  })

  it('a stranger gets no bb_search in the handshake and its messages are not answered', async () => {
    // The asker: its per-address limit leaves room for one more connection from 127.0.0.1.
    const m = asker
    const s = searches.get(asker)!
    const before = s.counters.queriesIn
    const socket = connect(m.mesh.host.port!, '127.0.0.1')
    await once(socket, 'connect')
    const wire = new Protocol()
    socket.pipe(wire).pipe(socket)
    const handshake = new Promise<{ m: Record<string, number> }>((resolve, reject) => {
      wire.on('extended', (ext: string, msg: unknown) => {
        if (ext === 'handshake') resolve(msg as { m: Record<string, number> })
      })
      setTimeout(() => reject(new Error('no extended handshake')), 10_000).unref()
    })
    wire.handshake(m.mesh.rendezvous.todayHash(), Buffer.alloc(20, 9), { dht: true })
    const hs = await handshake
    expect(Object.keys(hs.m)).not.toContain('bb_search')
    // Guess ids: none of them reaches bb_search.
    const query = Buffer.from(bencode({ msg_type: 0, q: 1, t: Buffer.from('aurora'), l: 5, d: 1000 }))
    for (let id = 1; id <= 8; id++) if (!socket.destroyed) wire.extended(id, query)
    await new Promise((r) => setTimeout(r, 500))
    socket.destroy()
    expect(s.counters.queriesIn).toBe(before)
  })
})
