// What members claimed about torrents in their bb_search hits (name, total size, file count), kept
// until the torrent is fetched — from a member by relay, or from the swarm — so that a member whose
// hit did not match the metadata (issue 13: "search results that did not verify when fetched") can
// be told apart from the members whose hits did. Bounded: the least recently claimed are forgotten
// first; each torrent is judged once, when it is first fetched.
import { MAX_NAME_BYTES, utf8Cut, type WireHit } from './codec.js'

/** What a fetched torrent is, as the harvester's TorrentInput (@bbmesh/index) has it. */
export interface FetchedTorrent {
  infohashV1?: Uint8Array | null
  infohashV2?: Uint8Array | null
  name: string | Uint8Array
  /** The sum of the file sizes when absent (as the index takes it). */
  totalSize?: number
  files: readonly { size: number }[]
}

/** Bytes as the index reads a name: UTF-8, invalid sequences replaced. */
const lossy = new TextDecoder('utf-8')

interface Claim {
  name: string
  totalSize: number
  fileCount: number
}

/** Infohash keys remembered at most (a torrent has up to three; a claim is a few hundred bytes). */
const MAX_KEYS = 60_000
/** Members' claims per torrent at most (one per member; a community is at most a few dozen). */
const MAX_CLAIMS_PER_TORRENT = 64

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** v1, full v2 and truncated v2 (what the DHT and bb_relay carry, BEP 52), hex. */
function keysOf(v1: string | null, v2: string | null): string[] {
  const keys = v1 === null ? [] : [v1]
  if (v2 !== null) keys.push(v2, v2.slice(0, 40))
  return keys
}

export class HitClaims {
  /** By hex infohash (v1, v2 and v2 truncated): member -> its claim. A torrent's keys share one map. */
  private readonly byKey = new Map<string, Map<string, Claim>>()

  get size(): number {
    return this.byKey.size
  }

  /** Remembers what `member` said of each hit. A later hit of the same member replaces its claim. */
  record(member: string, hits: readonly WireHit[]): void {
    for (const h of hits) {
      const keys = keysOf(h.infohashV1, h.infohashV2)
      // A hit naming both hashes of a hybrid joins what was claimed under each of them.
      const found = [...new Set(keys.map((k) => this.byKey.get(k)).filter((c) => c !== undefined))]
      const claims = found[0] ?? new Map<string, Claim>()
      for (const other of found.slice(1)) for (const [who, c] of other) claims.set(who, c)
      if (claims.size >= MAX_CLAIMS_PER_TORRENT && !claims.has(member)) continue
      claims.set(member, { name: h.name, totalSize: h.totalSize, fileCount: h.fileCount })
      for (const k of keys) {
        this.byKey.delete(k) // re-inserted last: the most recently claimed are kept longest
        this.byKey.set(k, claims)
      }
    }
    while (this.byKey.size > MAX_KEYS) this.byKey.delete(this.byKey.keys().next().value as string)
  }

  /**
   * Judges the claims on a torrent now fetched and verified by hash, and forgets them: returns the
   * members whose claim matched and those whose name, total size or file count differed. The name is
   * compared as a hit carries it (cut at MAX_NAME_BYTES).
   */
  judge(t: FetchedTorrent): { matched: string[]; mismatched: string[] } {
    const keys = keysOf(t.infohashV1 ? hexOf(t.infohashV1) : null, t.infohashV2 ? hexOf(t.infohashV2) : null)
    const claims = new Map<string, Claim>()
    for (const k of keys) {
      for (const [who, c] of this.byKey.get(k) ?? []) claims.set(who, c)
      this.byKey.delete(k)
    }
    const text = typeof t.name === 'string' ? t.name : lossy.decode(t.name)
    const name = utf8Cut(text, MAX_NAME_BYTES).toString('utf8')
    const totalSize = t.totalSize ?? t.files.reduce((n, f) => n + f.size, 0)
    const matched: string[] = []
    const mismatched: string[] = []
    for (const [who, c] of claims) {
      // No files: the member listed a torrent it has no metadata for (a bare sighting), not a claim.
      if (c.fileCount === 0) continue
      const same = c.name === name && c.totalSize === totalSize && c.fileCount === t.files.length
      ;(same ? matched : mismatched).push(who)
    }
    return { matched, mismatched }
  }

  /** Whether `member` claimed a hit for this infohash (hex: v1, v2, or v2 truncated) not judged yet. */
  claimed(member: string, infohash: string): boolean {
    return this.byKey.get(infohash)?.has(member) === true
  }
}
