// Serving a member that catches up from us: a page of our cached dicts' keys after its cursor, then
// the dicts it asks for as one chunked answer. Dicts come from the metadata cache, which holds only
// verified ones; the asker verifies again, since it cannot know that.
import type { ExtensionSession } from '@bbmesh/wire'
import {
  MAX_SYNC_GET_BYTES,
  MAX_SYNC_INFO_BYTES,
  type SyncGet,
  type SyncList,
  type SyncMessages,
} from './codec.js'
import { chunks, packAnswer } from './stream.js'
import type { SyncCounters, SyncSource } from './types.js'

interface ServeContext {
  readonly source: SyncSource
  readonly counters: SyncCounters
}

export async function serveList(
  session: ExtensionSession<SyncMessages>,
  ctx: ServeContext,
  l: SyncList,
): Promise<void> {
  const rows = await ctx.source.page(l.cursor, l.limit)
  ctx.counters.listsServed++
  // Dicts over the relay bound are not offered (they come from the swarm), but the cursor moves past.
  const listed = rows.filter((r) => r.rawBytes >= 1 && r.rawBytes <= MAX_SYNC_INFO_BYTES)
  session.send('keys', {
    id: l.id,
    keys: listed.map((r) => r.infohash),
    sizes: listed.map((r) => r.rawBytes),
    next: rows.at(-1)?.infohash,
    done: rows.length < l.limit,
  })
}

export async function serveGet(
  session: ExtensionSession<SyncMessages>,
  ctx: ServeContext,
  g: SyncGet,
): Promise<void> {
  const dicts: (Uint8Array | undefined)[] = []
  let read = 0
  for (const key of g.keys) {
    // Past the answer's byte bound nothing more is read: those keys go as not sent (packAnswer).
    const d = read < MAX_SYNC_GET_BYTES ? await ctx.source.get(key).catch(() => undefined) : undefined
    read += d?.length ?? 0
    dicts.push(d)
  }
  const { stream, sent, bytes } = packAnswer(dicts)
  ctx.counters.getsServed++
  ctx.counters.dictsOut += sent
  ctx.counters.bytesOut += bytes
  for (const c of chunks(stream)) session.send('data', { id: g.id, ...c })
}
