// Quality signals over real loopback sockets: a planted fake (a "film" that is a program) held by
// three members ranks below the genuine torrent held by two, and is flagged; the second holder of
// the genuine one lies that it is a program, and cannot make that flag stick against the honest one.
import { createHash } from 'node:crypto'
import type { TorrentInput } from '@bbmesh/index'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FederatedSearch } from '../../src/search/federated-search.js'
import { createNet, until, type Net } from '../bus/net.js'
import { Members, newKeys } from '../membership/harness.js'
import { tempIndexes, type TempIndexes } from './library.js'

const NAME = 'Big.Movie.2024.1080p.BluRay.x264'
const torrent = (tag: string, file: string, size: number): TorrentInput => ({
  infohashV1: createHash('sha1').update(tag).digest(),
  name: NAME,
  files: [{ path: file, size }],
  source: 'import',
})
const genuine = torrent('genuine', `${NAME}.mkv`, 8e9)
const fake = torrent('fake', `${NAME}.exe`, 8e9)
const hex = (t: TorrentInput): string => Buffer.from(t.infohashV1!).toString('hex')

let net: Net
let indexes: TempIndexes
const members = new Members()
let asker: FederatedSearch

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 4 })
  indexes = await tempIndexes()
  const keys = newKeys()
  const boot = `127.0.0.1:${net.stocks[0]!.address().port}`
  asker = new FederatedSearch()
  const a = await members.add(keys, boot, { registerExtensions: (r) => r.register(asker.definition()) })
  const hints = [{ host: '127.0.0.1', port: a.mesh.host.port! }]
  const member = async (held: TorrentInput[], lie = false): Promise<void> => {
    const index = await indexes.open(held)
    const search = new FederatedSearch({
      local: (q) => index.search(q),
      // The liar claims every torrent it holds is a program.
      files: async (ih) => (lie ? [{ path: 'setup.exe', size: 8e9 }] : (await index.get(ih))?.files),
    })
    await members.add(keys, boot, { hints, registerExtensions: (r) => r.register(search.definition()) })
  }
  await member([genuine])
  await member([fake])
  await member([fake])
  await member([fake])
  await member([genuine], true)
  await until('5 members linked', 60_000, () => asker.members === 5)
}, 90_000)
afterAll(async () => {
  await members.close()
  await net?.destroy()
  await indexes?.close()
})

describe('quality signals in bb_search', { timeout: 60_000 }, () => {
  it('a fake held by two members ranks below the genuine torrent, flagged; a liar cannot brand the genuine', async () => {
    const r = await asker.search({ text: 'big movie 2024', deadlineMs: 3_000 })
    expect(r.members.filter((m) => m.status === 'answered')).toHaveLength(5)
    const byHash = new Map(r.hits.map((h) => [h.infohashV1, h]))
    const g = byHash.get(hex(genuine))!
    const f = byHash.get(hex(fake))!
    expect(f.members).toBe(3) // more holders: unflagged, it would rank first
    expect(f.flags).toEqual(['executable'])
    expect(g.members).toBe(2) // the honest holder and the liar
    expect(g.flags).toEqual([])
    expect(r.hits[0]!.infohashV1).toBe(hex(genuine))
    expect(f.rank).toBeLessThan(g.rank)
  })
})
