// Search results that do not verify when fetched, over real loopback sockets: a liar answers bb_search
// with hits for real torrents (held by an honest member) under another name and size. Once the asker
// fetches them by relay from the honest member, verified by hash, each hit the liar sent earns it a
// strike (`checkFetched`), as does a dict of its that fails its hash (`relayFailed`, the relay's
// hook); its weight falls and at the threshold it is banned and cut off. The honest member is not.
import { createHash } from 'node:crypto'
import type { PooledIndex, TorrentInput } from '@bbmesh/index'
import { bencode, dict } from '@bbmesh/wire'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { infoToTorrent } from '../../src/harvester/info-to-torrent.js'
import { MetadataRelay } from '../../src/relay/relay.js'
import { FederatedSearch } from '../../src/search/federated-search.js'
import { createNet, until, type Net } from '../bus/net.js'
import { Members, newKeys, type TestMember } from '../membership/harness.js'
import { tempIndexes, type TempIndexes } from './library.js'

/** A real single-file v1 info dict, and the torrent the index makes of it. */
function real(name: string, length: number): { info: Buffer; ih: Buffer; t: TorrentInput } {
  const info = Buffer.from(
    bencode(
      dict({
        length,
        name: Buffer.from(name),
        'piece length': 16384,
        pieces: Buffer.alloc(20 * Math.ceil(length / 16384)),
      }),
    ),
  )
  const ih = createHash('sha1').update(info).digest()
  return { info, ih, t: infoToTorrent(info, ih, 'import', new Date()) }
}
const torrents = [0, 1, 2].map((i) => real(`Aurora.Film.${2020 + i}.1080p`, 40_000 + i))
/** What the liar claims: the same infohashes, another name (still answering the query) and size. */
const lies: TorrentInput[] = torrents.map(({ ih }, i) => ({
  infohashV1: ih,
  name: `Aurora.Film.${2020 + i}.2160p.REMUX`,
  files: [{ path: `Aurora.Film.${2020 + i}.mkv`, size: 9e9 }],
  source: 'import',
}))

let net: Net
let indexes: TempIndexes
const members = new Members()
const asker = new FederatedSearch({ banAfter: 3 })
const relay = new MetadataRelay({
  lookup: async () => undefined,
  onBadHash: (who, ih) => asker.relayFailed(who, ih),
  // The liar's wrong dict must not get it banned on the relay before the search has judged it.
  banAfter: 10,
})
let honest: TestMember
let liar: TestMember
const idOf = (m: TestMember): string => Buffer.from(m.mesh.host.peerId).toString('hex')

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 4 })
  indexes = await tempIndexes()
  const keys = newKeys()
  const boot = `127.0.0.1:${net.stocks[0]!.address().port}`
  const a = await members.add(keys, boot, {
    registerExtensions: (r) => (r.register(asker.definition()), r.register(relay.definition())),
  })
  const hints = [{ host: '127.0.0.1', port: a.mesh.host.port! }]
  const member = async (
    held: TorrentInput[],
    dicts: (index: PooledIndex) => (ih: Uint8Array) => Promise<Uint8Array | undefined>,
  ): Promise<TestMember> => {
    const index = await indexes.open(held)
    const search = new FederatedSearch({ local: (q) => index.search(q) })
    const serve = new MetadataRelay({ lookup: dicts(index) })
    return members.add(keys, boot, {
      hints,
      registerExtensions: (r) => (r.register(search.definition()), r.register(serve.definition())),
    })
  }
  // The honest member answers from, and serves, the real dicts.
  honest = await member(
    torrents.map((x) => x.t),
    (index) => (ih) => index.metadataFor(ih),
  )
  // The liar's relay sends a dict that is not the torrent's (it fails the hash).
  liar = await member(lies, () => async () => real('Something.Else', 1).info)
  await until('both linked', 60_000, () => asker.members === 2 && relay.links.size >= 2)
}, 90_000)
afterAll(async () => {
  await members.close()
  await net?.destroy()
  await indexes?.close()
})

describe('bb_search hits that do not verify when fetched', { timeout: 60_000 }, () => {
  it('cost the liar weight and, at the threshold, a ban; the honest member keeps its weight', async () => {
    const r = await asker.search({ text: 'aurora film', deadlineMs: 3_000 })
    expect(r.members.filter((m) => m.status === 'answered')).toHaveLength(2)
    for (const { ih } of torrents) {
      const hit = r.hits.find((h) => h.infohashV1 === ih.toString('hex'))
      expect(hit?.holders.sort()).toEqual([idOf(honest), idOf(liar)].sort())
    }
    const only = (m: TestMember): Set<string> => new Set([idOf(m)])
    // Fetched from the honest member: the liar's claim differs, the honest one's matches.
    const info0 = await relay.fetch(torrents[0]!.ih, { only: only(honest) })
    expect(info0 && Buffer.from(info0).equals(torrents[0]!.info)).toBe(true)
    expect(asker.checkFetched(infoToTorrent(info0!, torrents[0]!.ih, 'relay', new Date()))).toEqual([
      idOf(liar),
    ])
    expect(asker.weightOf(idOf(liar))).toBe(1 / 2)
    expect(asker.weightOf(idOf(honest))).toBe(1)
    // Asked of the liar: its dict fails the hash, and it had returned the torrent as a hit.
    expect(await relay.fetch(torrents[1]!.ih, { only: only(liar) })).toBeUndefined()
    expect(relay.counters.badHash).toBe(1)
    expect(asker.weightOf(idOf(liar))).toBe(1 / 3)
    expect(asker.isBanned(idOf(liar))).toBe(false)
    // Fetched from the swarm, say (here from the honest member): its third strike bans it.
    const info2 = await relay.fetch(torrents[2]!.ih, { only: only(honest) })
    expect(asker.checkFetched(infoToTorrent(info2!, torrents[2]!.ih, 'swarm', new Date()))).toEqual([
      idOf(liar),
    ])
    expect(asker.isBanned(idOf(liar))).toBe(true)
    expect(asker.counters.mismatched).toBe(3)
    expect(asker.weightOf(idOf(honest))).toBe(1)
    await until('the liar cut off from search', 10_000, () => asker.members === 1)
    const again = await asker.search({ text: 'aurora film', deadlineMs: 3_000 })
    expect(again.members.map((m) => m.member)).toEqual([idOf(honest)])
    expect(again.hits.every((h) => h.holders.join() === idOf(honest))).toBe(true)
    // A torrent is judged once: fetching it again strikes nobody.
    expect(asker.checkFetched(infoToTorrent(info0!, torrents[0]!.ih, 'relay', new Date()))).toEqual([])
  })
})
