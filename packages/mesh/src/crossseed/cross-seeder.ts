// File-level cross-seeding (issue 13): for a torrent A we seed, ask the index which other torrents hold
// one of A's files (the v2 file index, torrentsWithFile by BEP 52 pieces root), take each such torrent B's info dict from
// the index's metadata cache, and seed B on the same PieceServer from A's data through @bbmesh/wire's
// CrossSeedStorage (which verifies every shared file against B's pieces root before advertising it,
// and every piece again as it is served). Each B that gains a held file is announced in the DHT so
// B's leechers find us. Only what the index already has is used: nothing is fetched here.
import {
  CrossSeedStorage,
  fileSourcesOf,
  layoutFromInfo,
  type PieceServer,
  type PieceStorage,
  type TorrentLayout,
} from '@bbmesh/wire'
import { createHash } from 'node:crypto'

/** A torrent holding a file, as @bbmesh/index's FileHolder names it (hex infohashes, v2 full length). */
export interface CrossSeedHolder {
  infohashV1: string | null
  infohashV2: string | null
}

/** The part of @bbmesh/index's PooledIndex the cross-seeder reads. */
export interface CrossSeedIndex {
  torrentsWithFile(
    root: Uint8Array,
    opts?: { maxTorrents?: number },
  ): Promise<{ torrents: readonly CrossSeedHolder[] } | undefined>
  readonly metadataCache: { get(infohash: Uint8Array): Promise<Uint8Array | undefined> }
}

/** Announces us as a peer of an infohash (BEP 5); DhtNode has it. */
export interface CrossSeedAnnouncer {
  announce(infoHash: Uint8Array, port?: number): Promise<number>
}

export interface CrossSeederOptions {
  index: CrossSeedIndex
  /** Where A is seeded; B's are added to it. */
  server: PieceServer
  dht?: CrossSeedAnnouncer
  /** Port announced; default the server's. */
  announcePort?: number
  /** Other torrents considered per file of A (the index lists at most this many); default 50. */
  maxTorrents?: number
  /** Files of A looked up in the index at most (one query each); default 1000. */
  maxFiles?: number
  /** B's seeded per call at most (each costs one read of its shared files); default 32. */
  maxSeeded?: number
  /**
   * Where the pieces roots of the files we serve are announced to members (roots/served-roots.ts,
   * bb_roots). A's complete files are enough: every B serves them under the same roots.
   */
  roots?: { serve(roots: Iterable<Uint8Array>): void }
}

/** What became of one torrent B that shares a file with A. */
export interface CrossSeedOutcome {
  /** B's handshake infohash (hex): v1 for a hybrid, truncated v2 for v2-only. */
  infohash: string
  /** seeded: at least one file held and verified; the others say why B was left alone. */
  status:
    | 'seeded'
    | 'already-seeded'
    | 'no-metadata'
    | 'bad-metadata'
    | 'not-v2'
    | 'no-verified-file'
    | 'over-limit'
  /** Paths of B's files now served from A's data. */
  files: string[]
  /** Hashes (hex, 20 bytes) B's swarm is found under in the DHT, to re-announce: [] unless seeded. */
  announceAs: string[]
  /** DHT nodes that took the announce(s). */
  announced: number
}

export class CrossSeeder {
  private readonly added = new Set<string>()

  constructor(private readonly opts: CrossSeederOptions) {}

  /** Handshake infohashes (hex) seeded by this cross-seeder, to remove() later. */
  get seeded(): readonly string[] {
    return [...this.added]
  }

  /** Finds the torrents sharing a file with A (`infoA`, served from `storageA`) and seeds them. */
  async seedFrom(infoA: Uint8Array, storageA: PieceStorage): Promise<CrossSeedOutcome[]> {
    const a = layoutFromInfo(infoA)
    if (!a.v2) return []
    const sources = fileSourcesOf(storageA)
    this.opts.roots?.serve(sources.map((src) => src.piecesRoot))
    // A itself need not be in the index: its files are looked up by pieces root, one query each.
    const self = new Set([Buffer.from(a.infoHash).toString('hex'), fullV2(infoA)?.toString('hex')])
    const others = new Map<string, CrossSeedHolder>()
    for (const src of sources.slice(0, this.opts.maxFiles ?? 1000)) {
      const found = await this.opts.index.torrentsWithFile(src.piecesRoot, {
        maxTorrents: this.opts.maxTorrents ?? 50,
      })
      for (const o of found?.torrents ?? []) {
        const key = o.infohashV1 ?? o.infohashV2
        if (key && !self.has(o.infohashV1 ?? '') && !self.has(o.infohashV2 ?? '')) others.set(key, o)
      }
    }
    const out: CrossSeedOutcome[] = []
    const max = this.opts.maxSeeded ?? 32
    for (const [key, o] of others) {
      if (out.filter((r) => r.status === 'seeded').length >= max) {
        out.push({ infohash: key, status: 'over-limit', files: [], announceAs: [], announced: 0 })
        continue
      }
      out.push(await this.seedOne(o, sources))
    }
    return out
  }

  private async seedOne(
    o: CrossSeedHolder,
    sources: ReturnType<typeof fileSourcesOf>,
  ): Promise<CrossSeedOutcome> {
    // The index caches a hybrid's dict under its v1 hash, a v2-only one under its full v2 hash.
    const cacheKey = Buffer.from((o.infohashV1 ?? o.infohashV2) as string, 'hex')
    const none = (
      status: CrossSeedOutcome['status'],
      infohash: Uint8Array = cacheKey.subarray(0, 20),
    ): CrossSeedOutcome => ({
      infohash: Buffer.from(infohash).toString('hex'),
      status,
      files: [],
      announceAs: [],
      announced: 0,
    })
    const info = await this.opts.index.metadataCache.get(cacheKey)
    if (!info) return none('no-metadata')
    let layout: TorrentLayout
    try {
      layout = layoutFromInfo(info)
    } catch {
      return none('bad-metadata')
    }
    if (!layout.v2) return none('not-v2')
    // Never replace a torrent the server seeds from other storage (likely complete) with a partial one.
    const ih = Buffer.from(layout.infoHash).toString('hex')
    if (this.opts.server.seeds(ih) && !this.added.has(ih)) return none('already-seeded', layout.infoHash)
    const storage = await CrossSeedStorage.open(layout, sources)
    const files = storage.files.filter((f) => f.state === 'held').map((f) => f.path)
    if (files.length === 0) return none('no-verified-file', layout.infoHash)
    const key = this.opts.server.add(info, storage, { pieceLayers: storage.pieceLayers })
    this.added.add(key)
    const announceAs = dhtHashes(info, layout)
    return { infohash: key, status: 'seeded', files, announceAs, announced: await this.announce(announceAs) }
  }

  private async announce(hashes: readonly string[]): Promise<number> {
    const dht = this.opts.dht
    if (!dht) return 0
    const port = this.opts.announcePort ?? this.opts.server.port ?? 0
    let n = 0
    for (const ih of hashes) n += await dht.announce(Buffer.from(ih, 'hex'), port).catch(() => 0)
    return n
  }

  /** Stops serving every B this cross-seeder added. Idempotent. */
  stop(): void {
    for (const k of this.added) this.opts.server.remove(k)
    this.added.clear()
  }
}

/** BEP 52: a v2 swarm is found under the truncated v2 infohash; a hybrid also under its v1 one. */
function dhtHashes(info: Uint8Array, layout: TorrentLayout): string[] {
  const v2 = fullV2(info)
  const out = [Buffer.from(layout.infoHash).toString('hex')]
  if (layout.v1Pieces && v2) out.push(v2.subarray(0, 20).toString('hex'))
  return out
}

/** The full 32-byte v2 infohash of a v2 or hybrid dict, else null. */
function fullV2(info: Uint8Array): Buffer | null {
  return layoutFromInfo(info).v2 ? createHash('sha256').update(info).digest() : null
}
