// What catch-up sync (bb_sync) reads from, writes to and reports: the collaborators are small
// interfaces so a test or the simulator can hand in any index, and the CLI hands in the PooledIndex
// (index-adapter.ts).
import type { MetadataKey, TorrentInput } from '@bbmesh/index'
import type { Clock } from '../clock.js'

/** What this member serves to members catching up from it. */
export interface SyncSource {
  /** Up to `limit` cached dicts' keys after `after` (exclusive; empty: from the start), ascending. */
  page(after: Uint8Array, limit: number): Promise<MetadataKey[]>
  /** The verified info dict cached under `key`, or undefined. */
  get(key: Uint8Array): Promise<Uint8Array | undefined>
}

/** Where what a member catches up on goes. */
export interface SyncSink {
  /** For each key, whether a torrent with it is held already (then it is not asked for). */
  holds(keys: readonly Uint8Array[]): Promise<boolean[]>
  /** Stores verified torrents (rawInfo included) in one batch, through the index's ingest. */
  store(torrents: TorrentInput[]): Promise<void>
}

/** How far a pass over one member's holdings got. */
export interface SyncCursor {
  /** The last key covered: everything up to it is held. Empty: nothing yet. */
  after: Uint8Array
  /** The pass reached the end; the next one starts over (a member catches up on what came since). */
  done: boolean
}

/** Cursors per member (by the id it said in hello), kept across restarts. */
export interface CursorStore {
  load(member: string): Promise<SyncCursor | undefined>
  save(member: string, cursor: SyncCursor): Promise<void>
}

export interface CatchUpSyncOptions {
  /** Our stable id (the bus writer id), said in hello so members keep their cursor for us under it. */
  memberId: Uint8Array
  source: SyncSource
  sink: SyncSink
  cursors: CursorStore
  clock?: Clock
  /** Catch up with each member as soon as it is linked. Default true. */
  autoStart?: boolean
  /** Keys per page asked (1..2,000). Default 1,000. */
  pageKeys?: number
  /** Dict bytes per get, by the listed sizes. Default 2 MiB. */
  getBytes?: number
  /** Gets in flight at once (one is verified and stored while the next arrives). Default 2. */
  window?: number
  /** Per request. Default 60 s. */
  timeoutMs?: number
  /** Source of stored torrents. Default 'sync'. */
  torrentSource?: string
  banMs?: number
  /** After each page is stored and its cursor saved (progress; tests interrupt a pass here). */
  onPage?(member: string, counters: Readonly<SyncCounters>): void
}

export interface SyncCounters {
  /** Passes begun, finished to the end, cut by a closed link, a silent member or a stop. */
  runs: number
  completed: number
  interrupted: number
  pagesIn: number
  keysListed: number
  /** Listed keys we already held (never asked for). */
  skipped: number
  requested: number
  /** Verified torrents stored. */
  torrentsIn: number
  /** Info dict bytes received. */
  bytesIn: number
  /** Asked but not sent (gone from the member's cache, or past its answer's byte bound). */
  notSent: number
  /** Dicts that did not hash to their key: nothing of that answer is stored, the member is banned. */
  badHash: number
  /** Dicts that hashed right but could not be parsed (not stored, not held against the member). */
  unusable: number
  banned: number
  /** Passes given up: the member did not send 10,000 dicts it listed, or listed 1,000 empty pages in a row. */
  gaveUp: number
  /** Malformed, out-of-order or unasked-for answers (the link is closed). */
  protocolErrors: number
  listsServed: number
  getsServed: number
  dictsOut: number
  bytesOut: number
  /** Requests past the per-link queue bound, dropped. */
  floodDropped: number
}
