// What `bbmesh crawl --serve` exposes on /metrics and samples for the dashboard: the DHT nodes'
// and the harvester's counters, read fresh from the session on every scrape.
import type { MetricSource } from '@bbmesh/server'
import type { CrawlCounters } from './crawl-report.js'
import type { CrawlSession } from './crawl-session.js'

type Read = () => CrawlCounters

/** Sums one numeric field of every DHT node's stats (a crawl may run several node ids). */
function sumNodes(
  session: CrawlSession,
  pick: (s: ReturnType<CrawlSession['nodes'][number]['stats']>) => number,
): number {
  return session.nodes.reduce((n, node) => n + pick(node.stats()), 0)
}

export function crawlMetricSources(session: CrawlSession, read: Read): MetricSource[] {
  const counter = (name: string, help: string, value: () => number): MetricSource => ({
    name,
    help,
    type: 'counter',
    read: () => [{ value: value() }],
  })
  return [
    {
      name: 'bbmesh_dht_queries_total',
      help: 'KRPC queries by direction (in: answered by our nodes, out: sent)',
      type: 'counter',
      labelNames: ['direction'],
      read: () => [
        { labels: { direction: 'in' }, value: sumNodes(session, (s) => s.queriesIn) },
        { labels: { direction: 'out' }, value: sumNodes(session, (s) => s.queriesOut) },
      ],
    },
    {
      name: 'bbmesh_dht_dropped_total',
      help: 'Datagrams dropped by reason (rate_limited is the responder limit)',
      type: 'counter',
      labelNames: ['reason'],
      read: () => {
        const d = { oversized: 0, malformed: 0, rateLimited: 0, unexpectedResponse: 0, queueFull: 0 }
        for (const node of session.nodes)
          for (const k of Object.keys(d) as (keyof typeof d)[]) d[k] += node.stats().dropped[k]
        return Object.entries(d).map(([reason, value]) => ({ labels: { reason: snake(reason) }, value }))
      },
    },
    counter('bbmesh_dht_timeouts_total', 'KRPC queries that got no answer in time', () =>
      sumNodes(session, (s) => s.timeouts),
    ),
    {
      name: 'bbmesh_dht_routing_table_nodes',
      help: 'Nodes in the routing tables of our DHT nodes',
      type: 'gauge',
      read: () => [{ value: sumNodes(session, (s) => s.routingTableSize) }],
    },
    {
      name: 'bbmesh_harvester_observed_total',
      help: 'Infohashes observed in incoming DHT queries, by method',
      type: 'counter',
      labelNames: ['method'],
      read: () => {
        const c = read()
        return [
          { labels: { method: 'get_peers' }, value: c.observed.get_peers },
          { labels: { method: 'announce_peer' }, value: c.observed.announce },
        ]
      },
    },
    counter(
      'bbmesh_harvester_sample_queries_total',
      'BEP 51 sample_infohashes queries sent',
      () => read().samples.queries,
    ),
    counter(
      'bbmesh_harvester_sampled_infohashes_total',
      'Infohashes received in BEP 51 samples',
      () => read().samples.infohashes,
    ),
    counter(
      'bbmesh_harvester_new_infohashes_total',
      'Infohashes not seen before by this crawl',
      () => read().newInfohashes,
    ),
    {
      name: 'bbmesh_harvester_fetches_total',
      help: 'BEP 9 metadata fetches by outcome and failure reason',
      type: 'counter',
      labelNames: ['outcome', 'reason'],
      read: () => {
        const c = read()
        return [
          { labels: { outcome: 'ok', reason: '' }, value: c.metadata.ok },
          ...Object.entries(c.metadata.failedBy).map(([reason, value]) => ({
            labels: { outcome: 'failed', reason },
            value: value ?? 0,
          })),
        ]
      },
    },
    counter(
      'bbmesh_harvester_stored_torrents_total',
      'Torrents written to the index by this crawl',
      () => read().stored,
    ),
    {
      name: 'bbmesh_harvester_queue_depth',
      help: 'Items waiting between harvester stages, by queue',
      type: 'gauge',
      labelNames: ['queue'],
      read: () =>
        Object.entries(read().queues).map(([queue, value]) => ({ labels: { queue: snake(queue) }, value })),
    },
  ]
}

/** The dashboard's sampled counters (keys the server's charts know). */
export function crawlSampleValues(session: CrawlSession, read: Read): Record<string, number> {
  const c = read()
  return {
    infohashes_new: c.newInfohashes,
    metadata_ok: c.metadata.ok,
    metadata_failed: c.metadata.failed,
    dht_queries_in: sumNodes(session, (s) => s.queriesIn),
    dht_queries_out: sumNodes(session, (s) => s.queriesOut),
  }
}

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
