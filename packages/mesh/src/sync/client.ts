// One catch-up pass with one member: page through its holdings in key order from our saved cursor,
// skip what we hold (one bulk check per page), get the rest in answers bounded by count and bytes
// with `window` gets in flight, verify every dict against its key (SHA-1 v1, SHA-256 v2), store each
// answer in one batch, and save the cursor once its page is stored. The next page's listing is asked
// while this one's dicts arrive, so the link rarely idles.
import { parseInfoHash, verifyInfo } from '@bbmesh/wire'
import type { TorrentInput } from '@bbmesh/index'
import { InfoDictError } from '../errors.js'
import { infoToTorrent } from '../harvester/info-to-torrent.js'
import { ascendingAfter, MAX_SYNC_PAGE_KEYS, type SyncKeys } from './codec.js'
import type { Result, SyncLink } from './link.js'
import type { CursorStore, SyncCounters, SyncSink } from './types.js'

export type PassOutcome =
  'done' | 'closed' | 'timeout' | 'lied' | 'stopped' | 'protocol' | 'failed' | 'stalled'

export interface PassContext {
  readonly sink: SyncSink
  readonly cursors: CursorStore
  readonly counters: SyncCounters
  readonly pageKeys: number
  readonly getBytes: number
  readonly window: number
  readonly torrentSource: string
  now(): Date
  stopped(): boolean
  onPage?(member: string, counters: Readonly<SyncCounters>): void
}

const EMPTY = new Uint8Array(0)
/**
 * A pass gives up (and is not retried on that link) after this many asked-for dicts not sent, or
 * this many pages in a row that list nothing: a member that lists what it does not serve, or pages
 * without end, costs us a bounded amount. An honest member hits neither short of mass eviction.
 */
export const MAX_NOT_SENT_PER_PASS = 10_000
export const MAX_EMPTY_PAGES = 1_000

export async function catchUpPass(link: SyncLink, member: string, ctx: PassContext): Promise<PassOutcome> {
  const saved = await ctx.cursors.load(member)
  let after = saved && !saved.done ? saved.after : EMPTY
  let listing = link.list(after, ctx.pageKeys)
  const notSentBefore = ctx.counters.notSent
  let emptyPages = 0
  for (;;) {
    const r = await listing
    if (!r.ok) return r.why
    if (ctx.stopped()) return 'stopped'
    const page = r.value
    if (
      !ascendingAfter(page.keys, after, page.next ?? EMPTY) ||
      (page.next && !ascendingAfter([page.next], after, page.next))
    ) {
      link.protocolError('keys out of order or before the cursor')
      return 'protocol'
    }
    ctx.counters.pagesIn++
    ctx.counters.keysListed += page.keys.length
    const more = !page.done && page.next !== undefined
    if (more) listing = link.list(page.next!, ctx.pageKeys)
    const outcome = await fetchMissing(link, page, ctx)
    if (outcome !== undefined) return outcome
    after = page.next ?? after
    await ctx.cursors.save(member, { after, done: !more })
    ctx.onPage?.(member, ctx.counters)
    if (!more) return 'done'
    emptyPages = page.keys.length === 0 ? emptyPages + 1 : 0
    if (emptyPages >= MAX_EMPTY_PAGES || ctx.counters.notSent - notSentBefore > MAX_NOT_SENT_PER_PASS)
      return 'stalled'
  }
}

/** Gets, verifies and stores what the page lists and we lack; undefined when all went well. */
async function fetchMissing(
  link: SyncLink,
  page: SyncKeys,
  ctx: PassContext,
): Promise<PassOutcome | undefined> {
  if (page.keys.length === 0) return undefined
  const held = await ctx.sink.holds(page.keys)
  const gets = batches(page, held, ctx)
  ctx.counters.skipped += held.filter(Boolean).length
  let next = 0
  const inFlight: { keys: Uint8Array[]; answer: Promise<Result<(Uint8Array | undefined)[]>> }[] = []
  const ask = (): void => {
    const keys = gets[next++]!
    ctx.counters.requested += keys.length
    inFlight.push({ keys, answer: link.get(keys) })
  }
  while (next < gets.length && inFlight.length < ctx.window) ask()
  while (inFlight.length > 0) {
    const { keys, answer } = inFlight.shift()!
    const r = await answer
    if (!r.ok) return r.why
    if (ctx.stopped()) return 'stopped'
    // Keep the window full while this answer is verified and stored.
    if (next < gets.length) ask()
    const torrents = verified(keys, r.value, ctx)
    if (torrents === undefined) return 'lied'
    if (torrents.length > 0) await ctx.sink.store(torrents)
    ctx.counters.torrentsIn += torrents.length
  }
  return undefined
}

/** The keys we lack, cut into gets of at most `pageKeys` keys and about `getBytes` listed bytes. */
function batches(page: SyncKeys, held: boolean[], ctx: PassContext): Uint8Array[][] {
  const out: Uint8Array[][] = []
  let cur: Uint8Array[] = []
  let bytes = 0
  page.keys.forEach((key, i) => {
    if (held[i]) return
    const size = page.sizes[i]!
    if (cur.length > 0 && (bytes + size > ctx.getBytes || cur.length >= MAX_SYNC_PAGE_KEYS)) {
      out.push(cur)
      cur = []
      bytes = 0
    }
    cur.push(key)
    bytes += size
  })
  if (cur.length > 0) out.push(cur)
  return out
}

/** Index input for every dict that hashes to its key; undefined if any does not (a lying member). */
function verified(
  keys: Uint8Array[],
  dicts: (Uint8Array | undefined)[],
  ctx: PassContext,
): TorrentInput[] | undefined {
  const c = ctx.counters
  const out: TorrentInput[] = []
  const at = ctx.now()
  let bad = 0
  for (let i = 0; i < keys.length; i++) {
    const info = dicts[i]
    if (info === undefined) {
      c.notSent++
      continue
    }
    c.bytesIn += info.length
    if (!verifyInfo(parseInfoHash(keys[i]!), info)) {
      bad++
      continue
    }
    try {
      out.push(infoToTorrent(info, keys[i]!, ctx.torrentSource, at))
    } catch (err) {
      if (!(err instanceof InfoDictError)) throw err
      c.unusable++
    }
  }
  c.badHash += bad
  // An honest member's cache holds only verified dicts, so one wrong hash condemns the whole answer.
  return bad > 0 ? undefined : out
}
