// One member link's bb_search: answers the member's queries from our index (deduplicated by query id,
// rate-limited per link, bounded in concurrency) and routes the pages it sends back for our queries.
import type { SearchHit, SearchQuery } from '@bbmesh/index'
import type { ExtensionInstance, ExtensionSession, HandlerTable } from '@bbmesh/wire'
import {
  MAX_PAGE_HITS,
  type SearchBusy,
  type SearchHitsPage,
  type SearchMessages,
  type SearchRequest,
  type WireHit,
} from './codec.js'
import { assessQuality } from './quality.js'
import type { FileLookup, SearchHost } from './search-host.js'

/** What the asker waits on: the member's pages for one query id. */
export interface PendingQuery {
  onPage(page: SearchHitsPage): void
  onBusy(b: SearchBusy): void
  onClosed(): void
}

// Query ids a link remembers to drop duplicate deliveries (a member retrying, or a replay).
const RECENT_IDS = 256

export class SearchLink implements ExtensionInstance<SearchMessages> {
  readonly handlers: HandlerTable<SearchMessages>
  ready = false
  private readonly pending = new Map<number, PendingQuery>()
  private readonly recent = new Set<number>()
  private tokens: number
  private refilled: number

  constructor(
    private readonly session: ExtensionSession<SearchMessages>,
    private readonly host: SearchHost,
  ) {
    this.tokens = host.limits.burst
    this.refilled = host.clock.now()
    this.handlers = {
      query: (q) => void this.serve(q),
      hits: (p) => this.pending.get(p.id)?.onPage(p),
      busy: (b) => this.pending.get(b.id)?.onBusy(b),
    }
  }

  /** The member behind this link: its peer id, which the gate bound to the connection. */
  get who(): string {
    return Buffer.from(this.session.peer.peerId ?? []).toString('hex')
  }

  onReady(): void {
    if (this.host.isBanned(this.who)) return this.close('banned')
    this.ready = true
    this.host.links.add(this)
  }

  onClose(): void {
    this.ready = false
    this.host.links.delete(this)
    for (const p of this.pending.values()) p.onClosed()
    this.pending.clear()
  }

  close(reason: string): void {
    this.session.peer.close(reason)
  }

  /** Sends `req`; pages for it go to `p` until `forget(req.id)`. */
  ask(req: SearchRequest, p: PendingQuery): void {
    this.pending.set(req.id, p)
    this.session.send('query', req)
  }

  forget(id: number): void {
    this.pending.delete(id)
  }

  private async serve(req: SearchRequest): Promise<void> {
    const c = this.host.counters
    c.queriesIn++
    if (this.recent.has(req.id)) {
      c.duplicates++
      return
    }
    this.recent.add(req.id)
    if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value as number)
    if (this.host.isBanned(this.who)) return
    if (!this.take()) {
      c.rateLimited++
      return this.session.send('busy', { id: req.id, reason: 'rate' })
    }
    const local = this.host.local
    if (local === undefined || this.host.serving >= this.host.limits.maxConcurrent) {
      c.busyOut++
      return this.session.send('busy', { id: req.id, reason: 'load' })
    }
    this.host.serving++
    let hits: SearchHit[] = []
    try {
      hits = (await local(toIndexQuery(req))).hits
    } catch {
      c.serveErrors++ // an answer with no hits still ends the asker's wait for us
    } finally {
      this.host.serving--
    }
    if (!this.ready) return
    c.answered++
    const wire = await withFlags(hits.slice(0, req.limit), this.host.files)
    c.hitsOut += wire.length
    for (let at = 0; at < wire.length || at === 0; at += MAX_PAGE_HITS) {
      const page = wire.slice(at, at + MAX_PAGE_HITS)
      this.session.send('hits', { id: req.id, hits: page, done: at + MAX_PAGE_HITS >= wire.length })
    }
  }

  private take(): boolean {
    const now = this.host.clock.now()
    const { burst, perSecond } = this.host.limits
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilled) / 1000) * perSecond)
    this.refilled = now
    if (this.tokens < 1) return false
    this.tokens--
    return true
  }
}

function toIndexQuery(r: SearchRequest): SearchQuery {
  return {
    text: r.text,
    limit: r.limit,
    ...(r.minSize !== undefined && { minSize: r.minSize }),
    ...(r.maxSize !== undefined && { maxSize: r.maxSize }),
    ...(r.extension !== undefined && { extension: r.extension }),
    ...(r.seenSince !== undefined && { seenSince: new Date(r.seenSince * 1000) }),
    ...(r.aliveSince !== undefined && { aliveSince: new Date(r.aliveSince * 1000) }),
  }
}

// Torrents with at most this many files have their whole list read for the quality checks: the
// fakes these checks catch are small, and the read stays one cheap row per hit.
const FULL_LIST_FILES = 20

/** Index hits as they go on the wire, each with the quality flags of our own copy. */
export async function withFlags(
  hits: readonly SearchHit[],
  files: FileLookup | undefined,
): Promise<WireHit[]> {
  return Promise.all(
    hits.map(async (h) => {
      const key = h.infohashV1 ?? h.infohashV2!
      const all =
        files && h.fileCount <= FULL_LIST_FILES ? await files(key).catch(() => undefined) : undefined
      const flags = assessQuality({
        name: h.name,
        totalSize: h.totalSize,
        files: all ?? h.matchedFiles,
        complete: all !== undefined || h.matchedFiles.length >= h.fileCount,
      })
      return { ...toWireHit(h), flags }
    }),
  )
}

/** An index hit as it goes on the wire (dates in Unix seconds), before quality checks. */
export function toWireHit(h: SearchHit): WireHit {
  return {
    infohashV1: h.infohashV1,
    infohashV2: h.infohashV2,
    name: h.name,
    totalSize: h.totalSize,
    fileCount: h.fileCount,
    firstSeen: Math.floor(h.firstSeen.getTime() / 1000),
    lastSeen: Math.floor(h.lastSeen.getTime() / 1000),
    score: h.score,
    matchedFiles: h.matchedFiles,
    flags: [],
    ...(h.lastAlive !== null && { lastAlive: Math.floor(h.lastAlive.getTime() / 1000) }),
    ...(h.peersSeen !== null && { peersSeen: h.peersSeen }),
  }
}
