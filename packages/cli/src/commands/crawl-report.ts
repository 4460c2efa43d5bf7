// The counters `bbmesh crawl` reports: one shape for the periodic {"event":"stats"} lines, the
// final {"event":"summary"} line, the TTY status line and the human summary.
import { statSync } from 'node:fs'
import type { FetchFailureReason, HarvesterStats, TriageCounters } from '@bbmesh/mesh'
import { formatSize } from '../units.js'
import type { CrawlMember, MeshCounters } from './crawl-community.js'
import type { CrawlSession, KnownFetchCounters } from './crawl-session.js'

export interface CrawlCounters {
  nodes: { known: number; due: number; added: number; forgotten: number; routingTable: number }
  samples: { queries: number; failures: number; infohashes: number; perSecond: number }
  observed: { get_peers: number; announce: number }
  newInfohashes: number
  newInfohashesPerSecond: number
  /** Sightings of earlier runs still without metadata, re-queued at start. */
  resumed: number
  triage: TriageCounters
  metadata: {
    ok: number
    failed: number
    failedBy: Partial<Record<FetchFailureReason, number>>
    retries: number
    lookups: number
    perSecond: number
  }
  /** BEP-9 attempts (one peer each), and those for infohashes the index held before this run. */
  /** `relayed`: info dicts a community member supplied, so no swarm fetch was needed. */
  fetches: { attempts: number; known: KnownFetchCounters; relayed: number }
  /** Torrents written to the index by this run (every one is committed). */
  stored: number
  sightingsRecorded: number
  /** Fetched torrents whose swarm liveness (peers found, when) was written to the index. */
  aliveRecorded: number
  queues: HarvesterStats['queues']
  dbBytes: number
  /** With --community: membership, gossip and feed figures. */
  mesh?: MeshCounters
}

export function crawlCounters(session: CrawlSession, dbPath: string, member?: CrawlMember): CrawlCounters {
  const s = session.harvester.stats()
  const failedBy: Partial<Record<FetchFailureReason, number>> = {}
  let failed = 0
  for (const [reason, n] of Object.entries(s.fetch.failed) as [FetchFailureReason, number][]) {
    if (n > 0) failedBy[reason] = n
    failed += n
  }
  return {
    nodes: {
      known: s.nodes.known,
      due: s.nodes.due,
      added: s.nodes.added,
      forgotten: s.nodes.forgotten,
      routingTable: session.nodes.reduce((n, node) => n + node.stats().routingTableSize, 0),
    },
    samples: {
      queries: s.sampler.sampleQueries,
      failures: s.sampler.sampleFailures,
      infohashes: s.sampler.infohashesSampled,
      perSecond: round(s.sampler.sampleQueriesPerSecond),
    },
    observed: { get_peers: s.observed.get_peers, announce: s.observed.announce },
    newInfohashes: s.newInfohashes,
    newInfohashesPerSecond: round(s.newInfohashesPerSecond),
    resumed: s.resumed,
    triage: s.triage,
    metadata: {
      ok: s.fetch.ok,
      failed,
      failedBy,
      retries: s.fetch.retries,
      lookups: s.fetch.lookups,
      perSecond: round(s.fetch.metadataPerSecond),
    },
    fetches: { attempts: session.fetchAttempts(), known: session.knownFetches(), relayed: session.relayed() },
    stored: s.persist.torrents.written,
    sightingsRecorded: s.persist.sightings.written,
    aliveRecorded: s.persist.liveness?.written ?? 0,
    queues: s.queues,
    dbBytes: dbBytes(dbPath),
    ...(member !== undefined && { mesh: member.counters() }),
  }
}

/** The database file plus its WAL: what the crawl costs on disk. */
export function dbBytes(path: string): number {
  let n = 0
  for (const p of [path, `${path}-wal`]) {
    try {
      n += statSync(p).size
    } catch {
      // Not there (yet): nothing on disk.
    }
  }
  return n
}

export function statusLine(c: CrawlCounters, elapsedS: number): string {
  const q = c.queues
  return (
    `${fmtTime(elapsedS)} nodes ${c.nodes.known} (rt ${c.nodes.routingTable}) | ` +
    `samples ${c.samples.perSecond}/s | new ${c.newInfohashesPerSecond}/s (${c.newInfohashes}) | ` +
    `metadata ${c.metadata.ok} ok, ${c.metadata.failed} failed${whyFailed(c)} | ` +
    `queued ${q.sightings} sighted, ${q.pending} pending, ${q.inFlight} fetching, ${q.torrents} to write | ` +
    `db ${formatSize(c.dbBytes)}` +
    (c.mesh ? ` | members ${c.mesh.members} (${c.mesh.connected} linked)` : '')
  )
}

export function summaryLines(c: CrawlCounters, durationS: number, indexTorrents: number | null): string[] {
  return [
    `crawled for          ${fmtTime(durationS)}`,
    `nodes known          ${c.nodes.known} (${c.nodes.added} added, ${c.nodes.forgotten} forgotten)`,
    `sample queries       ${c.samples.queries} (${c.samples.failures} failed), ${c.samples.infohashes} infohashes`,
    `observed             ${c.observed.get_peers} get_peers, ${c.observed.announce} announce_peer`,
    `new infohashes       ${c.newInfohashes} (${c.triage['known-index']} already in the index)`,
    `resumed              ${c.resumed} sightings of earlier runs still without metadata`,
    `metadata             ${c.metadata.ok} ok, ${c.metadata.failed} failed${whyFailed(c)}`,
    `stored               ${c.stored} torrents this run${indexTorrents === null ? '' : `, ${indexTorrents} in the index`}`,
    `seen alive           ${c.aliveRecorded} of them with peers found (search --alive)`,
    `database             ${formatSize(c.dbBytes)}`,
    ...(c.mesh
      ? [
          `community            ${c.mesh.community} (${c.mesh.fingerprint}): ${c.mesh.members} members, ` +
            `${c.mesh.connected} linked, ${c.mesh.gateFailures} gate failures, ` +
            `${c.mesh.feed.offered} infohashes from members' feeds`,
          `pooled               ${c.mesh.pool.owned} sightings owned, ${c.mesh.pool.forwarded} handed to ` +
            `their owner, ${c.mesh.pool.received} received; ${c.mesh.pool.relayedIn} torrents relayed in, ` +
            `${c.mesh.pool.relayedOut} out (replicate ${c.mesh.pool.replicate})`,
        ]
      : []),
  ]
}

function whyFailed(c: CrawlCounters): string {
  const parts = Object.entries(c.metadata.failedBy).map(([reason, n]) => `${reason} ${n}`)
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`
}

const round = (x: number): number => Math.round(x * 10) / 10

function fmtTime(s: number): string {
  const t = Math.round(s)
  const h = Math.floor(t / 3600)
  const m = Math.floor((t % 3600) / 60)
  const sec = t % 60
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(sec).padStart(2, '0')}s`
      : `${sec}s`
}
