// `bbmesh search --community NAME …`: the community's answer to a query. When a member process for
// this data dir is running (`crawl --community`), it is asked over its local channel and answers on its
// live links in milliseconds; otherwise this process joins the DHT and the community for the query
// (seconds), asks the members it links to, and leaves. Either way our own index answers too.
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DhtNode } from '@bbmesh/dht'
import type { SearchQuery } from '@bbmesh/index'
import {
  loadCommunity,
  meshDht,
  parseHint,
  searchCommunity,
  searchViaLocalChannel,
  type CommunityHit,
  type CommunitySearchQuery,
  type CommunitySearchResult,
} from '@bbmesh/mesh'
import type { PeerAddress } from '@bbmesh/wire'
import type { CommandContext } from '../context.js'
import { formatSize } from '../units.js'
import { renderTable, withoutEmptyLastColumn } from '../table.js'
import { communityCliError } from './community-mesh.js'
import { aliveCell } from './search-alive.js'
import { hitToJson } from './search-json.js'

// Unix socket paths are limited to ~107 bytes; a deep data dir gets a hashed name in the temp dir.
const MAX_SOCKET_PATH = 100

/** Where a member process for `dataDir` serves its community search. */
export function localChannelPath(dataDir: string, community: string): string {
  const inDataDir = join(dataDir, `search-${community}.sock`)
  if (inDataDir.length <= MAX_SOCKET_PATH) return inDataDir
  const tag = createHash('sha256').update(`${dataDir}\0${community}`).digest('hex').slice(0, 20)
  return join(tmpdir(), `bbmesh-${process.getuid?.() ?? 'u'}-${tag}.sock`)
}

export interface CommunitySearchRun {
  name: string
  query: SearchQuery
  deadlineMs: number
  bootstrap: string[] | undefined
  peers: PeerAddress[]
  /** When joining: how long to wait for members to link. */
  waitMs: number
  /** `--clean`: leave out hits flagged as likely fakes. */
  clean: boolean
}

type Via = 'member-process' | 'joined'

export async function runCommunitySearch(ctx: CommandContext, r: CommunitySearchRun): Promise<void> {
  // A community we do not hold fails here, before any traffic.
  await loadCommunity(ctx.dataDir, r.name).catch(communityCliError)
  // Streamed before merging settles: a hit's flags (and --clean) are final only in the summary.
  const streamed = (hits: CommunityHit[], from: string): void => {
    if (ctx.out.json) for (const h of hits) ctx.out.record({ event: 'hit', from, ...communityHitToJson(h) })
  }
  const q: CommunitySearchQuery = {
    text: r.query.text,
    limit: r.query.limit ?? 20,
    deadlineMs: r.deadlineMs,
    onHits: streamed,
    ...(r.query.minSize !== undefined && { minSize: r.query.minSize }),
    ...(r.query.maxSize !== undefined && { maxSize: r.query.maxSize }),
    ...(r.query.extension !== undefined && { extension: r.query.extension }),
    ...(r.query.seenSince !== undefined && { seenSince: r.query.seenSince }),
    ...(r.query.aliveSince !== undefined && { aliveSince: r.query.aliveSince }),
  }
  const started = Date.now()
  const viaProcess = await searchViaLocalChannel(localChannelPath(ctx.dataDir, r.name), q).catch(
    (err: Error) => (ctx.out.debug(`local channel: ${err.message}`), undefined),
  )
  const raw = viaProcess ?? (await joinAndSearch(ctx, r, q))
  const result = r.clean ? { ...raw, hits: raw.hits.filter((h) => h.flags.length === 0) } : raw
  report(ctx, r, result, viaProcess ? 'member-process' : 'joined', Date.now() - started)
}

async function joinAndSearch(
  ctx: CommandContext,
  r: CommunitySearchRun,
  q: CommunitySearchQuery,
): Promise<CommunitySearchResult> {
  const community = await loadCommunity(ctx.dataDir, r.name).catch(communityCliError)
  const loopback = r.bootstrap !== undefined && r.bootstrap.every((hp) => /^(127\.|localhost:)/.test(hp))
  const host = loopback ? '127.0.0.1' : '0.0.0.0'
  const index = await ctx.openIndex()
  const dht = new DhtNode({ ...(r.bootstrap !== undefined && { bootstrap: r.bootstrap }) })
  dht.on('warning', (err: Error) => ctx.out.debug(`dht: ${err.message}`))
  try {
    await dht.listen(0, host)
    ctx.out.info(`no member process for ${r.name} here: joining the community for this query…`)
    await dht.bootstrap()
    let linked = 0
    const result = await searchCommunity({
      keys: community.keys,
      dht: meshDht(dht),
      query: q,
      local: (x) => index.search(x),
      files: async (ih) => (await index.get(ih))?.files,
      hints: [...community.hints.map((h) => parseHint(h)), ...r.peers],
      listen: { host, port: 0 },
      waitMs: r.waitMs,
      onWaiting: (n, ms) => {
        linked = n
        ctx.out.progress(`members linked ${n}, ${Math.round(ms / 1000)}s`)
      },
    })
    ctx.out.clearProgress()
    if (linked === 0 && result.members.length <= 1)
      ctx.out.warn(`no member of ${r.name} linked within ${r.waitMs / 1000}s`)
    return result
  } finally {
    await dht.destroy()
    await index.close()
  }
}

function report(
  ctx: CommandContext,
  r: CommunitySearchRun,
  res: CommunitySearchResult,
  via: Via,
  tookMs: number,
): void {
  const members = res.members.filter((m) => m.member !== 'self')
  const answered = members.filter((m) => m.status === 'answered').length
  if (ctx.out.json) {
    ctx.out.record({
      event: 'summary',
      query: r.query.text,
      community: r.name,
      via,
      tookMs,
      searchMs: res.elapsedMs,
      total: res.total,
      results: res.hits.map(communityHitToJson),
      members: res.members,
    })
    return
  }
  if (res.hits.length === 0) ctx.out.info(`no results for '${r.query.text}'`)
  else
    ctx.out.text(
      renderTable(
        ...withoutEmptyLastColumn(
          ['#', 'name', 'size', 'files', 'alive', 'members', 'infohash', 'flags'],
          res.hits.map((h, i) => [
            String(i + 1),
            h.name,
            formatSize(h.totalSize),
            String(h.fileCount),
            aliveCell(h),
            String(h.members),
            (h.infohashV1 ?? h.infohashV2 ?? '').slice(0, 16),
            h.flags.join(','),
          ]),
        ),
        { maxWidth: ctx.out.isTTY ? (process.stdout.columns ?? 120) : 200, flexColumn: 1 },
      ),
    )
  const how = via === 'member-process' ? 'asked the running member process' : 'joined for this query'
  ctx.out.info(
    `${res.hits.length} of ${res.total} result(s) from ${answered}/${members.length} member(s) in ` +
      `${res.elapsedMs} ms (${how}, ${(tookMs / 1000).toFixed(1)} s in all)`,
  )
}

function communityHitToJson(h: CommunityHit): Record<string, unknown> {
  return {
    ...hitToJson(h),
    members: h.members,
    rank: Math.round(h.rank * 1000) / 1000,
    quality: h.flags,
  }
}
