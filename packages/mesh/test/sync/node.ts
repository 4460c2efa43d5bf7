// A syncing member for bb_sync tests: a real SQLite index in a temporary directory, a cursor file
// beside it and a CatchUpSync on the member's gated links (Members harness: real sockets on
// 127.0.0.1). Test torrents are real info dicts with file lists, so verification is the real one.
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { openIndex, type PooledIndex } from '@bbmesh/index'
import { bencode } from '@bbmesh/wire'
import type { CommunityKeys } from '../../src/community/derive.js'
import { infoToTorrent } from '../../src/harvester/info-to-torrent.js'
import { FileCursorStore } from '../../src/sync/cursor-store.js'
import { indexSyncSink, indexSyncSource } from '../../src/sync/index-adapter.js'
import { CatchUpSync } from '../../src/sync/sync.js'
import type { CatchUpSyncOptions, SyncSource } from '../../src/sync/types.js'
import type { Members, TestMember } from '../membership/harness.js'

const sha1 = (s: string | Uint8Array): Buffer => createHash('sha1').update(s).digest()

/** Torrent `n` of `label`: a v1 info dict of 2..9 files (a few hundred bytes to a few kB). */
export function testInfo(label: string, n: number): { info: Buffer; ih: Buffer } {
  const files = Array.from({ length: 2 + (n % 8) }, (_, i) => ({
    length: 1000 + n * 7 + i,
    path: [Buffer.from(`${label}-dir-${n}`), Buffer.from(`part-${i}.bin`)],
  }))
  const pieces = Math.ceil(files.reduce((s, f) => s + f.length, 0) / 16384)
  const info = Buffer.from(
    bencode({
      files,
      name: Buffer.from(`${label}.torrent.${n}`),
      'piece length': 16384,
      pieces: Buffer.concat(Array.from({ length: pieces }, (_, i) => sha1(`${label}:${n}:${i}`))),
    }),
  )
  return { info, ih: sha1(info) }
}

export interface SyncNode {
  member: TestMember
  index: PooledIndex
  sync: CatchUpSync
  /** Ends the sync, the member (mesh and DHT node) and the index; the files stay. */
  kill(): Promise<void>
}

export interface SyncNodeOptions {
  dir: string
  /** Serve through this instead of straight from the index (a lying member). */
  source?: (index: PooledIndex) => SyncSource
  sync?: Partial<CatchUpSyncOptions>
}

/** Opens (or reopens) the index and cursors under `dir` and joins the community. */
export async function syncNode(
  members: Members,
  keys: CommunityKeys,
  boot: string,
  o: SyncNodeOptions,
): Promise<SyncNode> {
  const index = await openIndex({ path: join(o.dir, 'index.db'), cacheBudgetBytes: 1024 ** 3 })
  const sync = new CatchUpSync({
    memberId: randomBytes(20),
    source: o.source ? o.source(index) : indexSyncSource(index),
    sink: indexSyncSink(index),
    cursors: new FileCursorStore(join(o.dir, 'sync-cursors.json')),
    timeoutMs: 10_000,
    ...o.sync,
  })
  const member = await members.add(keys, boot, { registerExtensions: (r) => r.register(sync.definition()) })
  let killed: Promise<void> | undefined
  const kill = (): Promise<void> =>
    (killed ??= (async () => {
      await sync.stop()
      await members.remove(member)
      await index.close()
    })())
  return { member, index, sync, kill }
}

/** Ingests torrents `from..to-1` of `label`, each with its verified dict (so it is served onward). */
export async function holdTorrents(
  index: PooledIndex,
  label: string,
  from: number,
  to: number,
): Promise<void> {
  const at = new Date('2026-01-01T00:00:00Z')
  for (let n = from; n < to; n += 500) {
    const batch = []
    for (let i = n; i < Math.min(to, n + 500); i++) {
      const { info, ih } = testInfo(label, i)
      batch.push(infoToTorrent(info, ih, 'test', at))
    }
    await index.ingest(batch)
  }
}

/** Every cached key the index holds, ascending (hex). */
export async function cachedKeys(index: PooledIndex): Promise<string[]> {
  const out: string[] = []
  let after: Uint8Array | undefined
  for (;;) {
    const page = await index.metadataAfter(after, 5000)
    if (page.length === 0) return out
    out.push(...page.map((k) => Buffer.from(k.infohash).toString('hex')))
    after = page.at(-1)!.infohash
  }
}
