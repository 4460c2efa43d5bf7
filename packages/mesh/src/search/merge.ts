// Merging members' answers to one query: hits deduplicated by infohash (a hybrid torrent one member
// knows by v1 and another by v2 as well is still one hit), each remembering which members hold it,
// ranked by the best local score lifted by how many (trusted) members hold it. A hit that cannot be
// an answer to the query (no query word in its name or matched paths, or outside the size filters)
// is dropped here and counted against the member that sent it.
import { countPhraseMatches, parseQueryText, type QueryPhrase } from '@bbmesh/index'
import type { WireHit } from './codec.js'
import { assessQuality, type QualityFlag } from './quality.js'

export interface CommunityHit {
  infohashV1: string | null
  infohashV2: string | null
  name: string
  totalSize: number
  fileCount: number
  firstSeen: Date
  lastSeen: Date
  /** The best score any member gave it (each member ranks by its own index). */
  score: number
  /** Members that returned it (this member included when it searched its own index). */
  members: number
  /** Their ids (peer ids, hex; 'self' for this member). */
  holders: string[]
  /** What the merged list is sorted by: score × (1 + log2 of the holders' summed weight). */
  rank: number
  matchedFiles: { path: string; size: number }[]
  /** Quality flags (quality.ts) that hold: our own check, or members' whose weight carries it. */
  flags: QualityFlag[]
  /** The latest time any holder saw peers in its swarm; null: none did (or none says). */
  lastAlive: Date | null
  /** The most peers any holder's lookup found. */
  peersSeen: number | null
}

export interface MergeFilter {
  text: string
  minSize?: number
  maxSize?: number
  /** Only torrents some holder saw alive since; checked on the merged hit, so no member is blamed. */
  aliveSince?: Date
}

interface Entry {
  hit: CommunityHit
  weight: number
  /** Summed weight of the members that flagged it, per flag; 'self' flags are our own check. */
  flagWeight: Map<QualityFlag, number>
  ownFlags: Set<QualityFlag>
}

/** A flagged torrent's rank is cut to this share: it sinks below genuine ones, and stays listed. */
const FLAGGED_RANK = 0.1
/**
 * A torrent whose swarm a holder saw alive within ALIVE_RECENT_MS ranks this much higher than an
 * equal one never (or not lately) seen alive: a tie-breaker among near-equal text matches, too small
 * to lift a poor match over a good one (docs/PROTOCOL.md, bb_search).
 */
export const ALIVE_RANK_LIFT = 1.25
export const ALIVE_RECENT_MS = 7 * 86_400_000

export class HitMerger {
  private readonly byHash = new Map<string, Entry>()
  private readonly entries: Entry[] = []
  private readonly phrases: QueryPhrase[]

  constructor(private readonly filter: MergeFilter) {
    this.phrases = parseQueryText(filter.text)
  }

  /** Whether `h` could answer the query at all; the index's own matching is finer than this. */
  plausible(h: WireHit): boolean {
    if (this.filter.minSize !== undefined && h.totalSize < this.filter.minSize) return false
    if (this.filter.maxSize !== undefined && h.totalSize > this.filter.maxSize) return false
    if (this.phrases.length === 0) return true
    if (countPhraseMatches(h.name, this.phrases) > 0) return true
    return h.matchedFiles.some((f) => countPhraseMatches(f.path, this.phrases) > 0)
  }

  /** Adds one member's hits; returns those new to the merged list. */
  add(member: string, hits: readonly WireHit[], weight: number): CommunityHit[] {
    const fresh: CommunityHit[] = []
    for (const h of hits) {
      const keys = [h.infohashV1, h.infohashV2].filter((k): k is string => k !== null)
      const found = keys.map((k) => this.byHash.get(k)).find((e) => e !== undefined)
      if (found === undefined) {
        const entry: Entry = {
          hit: toCommunityHit(h, member),
          weight,
          flagWeight: new Map(),
          ownFlags: new Set(),
        }
        noteFlags(entry, member, h, weight)
        for (const k of keys) this.byHash.set(k, entry)
        this.entries.push(entry)
        fresh.push(entry.hit)
        continue
      }
      const c = found.hit
      if (c.holders.includes(member)) continue
      c.holders.push(member)
      c.members++
      found.weight += weight
      noteFlags(found, member, h, weight)
      c.score = Math.max(c.score, h.score)
      if (h.firstSeen * 1000 < c.firstSeen.getTime()) c.firstSeen = new Date(h.firstSeen * 1000)
      if (h.lastSeen * 1000 > c.lastSeen.getTime()) c.lastSeen = new Date(h.lastSeen * 1000)
      if (h.lastAlive !== undefined && h.lastAlive * 1000 > (c.lastAlive?.getTime() ?? -1))
        c.lastAlive = new Date(h.lastAlive * 1000)
      if (h.peersSeen !== undefined) c.peersSeen = Math.max(c.peersSeen ?? 0, h.peersSeen)
      for (const k of keys) {
        if (!this.byHash.has(k)) this.byHash.set(k, found)
        if (k.length === 40) c.infohashV1 ??= k
        else c.infohashV2 ??= k
      }
      if (c.matchedFiles.length === 0) c.matchedFiles = h.matchedFiles
    }
    return fresh
  }

  get size(): number {
    return this.entries.length
  }

  /** The best `limit` hits, ranked; `nowMs` decides what "seen alive recently" means. */
  top(limit: number, nowMs: number = Date.now()): CommunityHit[] {
    const since = this.filter.aliveSince?.getTime()
    const kept = this.entries.filter(
      (e) => since === undefined || (e.hit.lastAlive !== null && e.hit.lastAlive.getTime() >= since),
    )
    for (const e of kept) {
      e.hit.flags = flagsOf(e)
      const alive = e.hit.lastAlive !== null && nowMs - e.hit.lastAlive.getTime() <= ALIVE_RECENT_MS
      e.hit.rank =
        rankOf(e.hit.score, e.weight) *
        (e.hit.flags.length > 0 ? FLAGGED_RANK : 1) *
        (alive ? ALIVE_RANK_LIFT : 1)
    }
    return kept
      .map((e) => e.hit)
      .sort((a, b) => b.rank - a.rank || b.members - a.members || a.name.localeCompare(b.name))
      .slice(0, limit)
  }
}

function noteFlags(e: Entry, member: string, h: WireHit, weight: number): void {
  for (const f of h.flags) {
    if (member === 'self') e.ownFlags.add(f)
    else e.flagWeight.set(f, (e.flagWeight.get(f) ?? 0) + weight)
  }
}

/**
 * Our own check of what the hit shows us, plus members' flags carried by at least one honest
 * member's weight and more than half the weight of those holding it: one lying member cannot brand
 * a torrent that honest holders did not flag.
 */
function flagsOf(e: Entry): QualityFlag[] {
  const h = e.hit
  const own = assessQuality({
    name: h.name,
    totalSize: h.totalSize,
    files: h.matchedFiles,
    complete: h.matchedFiles.length >= h.fileCount,
  })
  for (const f of own) e.ownFlags.add(f)
  const out = new Set(e.ownFlags)
  for (const [f, w] of e.flagWeight) if (w >= 0.999 && w * 2 > e.weight) out.add(f)
  return [...out]
}

function rankOf(score: number, weight: number): number {
  const lift = 1 + Math.log2(Math.max(1, weight))
  // A score of 0 (no text ranking) still orders by how widely the torrent is held.
  return (score > 0 ? score : 0.001) * lift
}

function toCommunityHit(h: WireHit, member: string): CommunityHit {
  return {
    infohashV1: h.infohashV1,
    infohashV2: h.infohashV2,
    name: h.name,
    totalSize: h.totalSize,
    fileCount: h.fileCount,
    firstSeen: new Date(h.firstSeen * 1000),
    lastSeen: new Date(h.lastSeen * 1000),
    score: h.score,
    members: 1,
    holders: [member],
    rank: 0,
    matchedFiles: h.matchedFiles,
    flags: [],
    lastAlive: h.lastAlive === undefined ? null : new Date(h.lastAlive * 1000),
    peersSeen: h.peersSeen ?? null,
  }
}
