import type { IndexStats, SearchPage, SearchQuery, TorrentDetail } from '@bbmesh/index'

/**
 * What the server reads. A PooledIndex is one; a federated source (the community search) can wrap
 * the index and merge remote hits behind the same three calls, so no route changes when it lands.
 */
export interface SearchSource {
  search(query: SearchQuery): Promise<SearchPage>
  get(infohash: string | Uint8Array): Promise<TorrentDetail | undefined>
  stats(): Promise<IndexStats>
}

/** One value of a metric a collaborator (DHT node, harvester) keeps; read on each scrape. */
export interface MetricSample {
  labels?: Record<string, string>
  value: number
}

/**
 * A counter or gauge kept elsewhere and exposed on /metrics. Counter names end in `_total`
 * (Prometheus naming); every name starts with `bbmesh_`.
 */
export interface MetricSource {
  name: string
  help: string
  type: 'counter' | 'gauge'
  labelNames?: readonly string[]
  read(): Iterable<MetricSample> | Promise<Iterable<MetricSample>>
}
