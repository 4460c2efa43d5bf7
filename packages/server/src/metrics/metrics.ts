import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { ServerError } from '../errors.js'
import type { MetricSource, SearchSource } from '../types.js'

const COUNTER_NAME = /^bbmesh_[a-z][a-z0-9_]*_total$/
const GAUGE_NAME = /^bbmesh_[a-z][a-z0-9_]*$/

export interface ServerMetrics {
  registry: Registry
  /** Counts one answered request by route pattern (never the raw URL: unbounded labels) and status. */
  observeRequest(route: string, method: string, status: number, seconds: number): void
  rateLimited(): void
}

/**
 * One registry per server (not prom-client's global one), so two servers in a process, or in a
 * test, never share or clash. Index gauges are read from `stats()` on each scrape.
 */
export function createMetrics(source: SearchSource, extra: readonly MetricSource[] = []): ServerMetrics {
  const registry = new Registry()
  const requests = new Counter({
    name: 'bbmesh_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'bbmesh_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const limited = new Counter({
    name: 'bbmesh_http_rate_limited_total',
    help: 'HTTP requests refused by the per-IP rate limit',
    registers: [registry],
  })
  const stat = (
    name: string,
    help: string,
    pick: (s: Awaited<ReturnType<SearchSource['stats']>>) => number,
  ) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await source.stats()))
      },
    })
  stat('bbmesh_index_torrents', 'Torrents with metadata in the index', (s) => s.torrents)
  stat('bbmesh_index_files', 'Files of the indexed torrents', (s) => s.files)
  stat('bbmesh_index_content_bytes', 'Sum of the indexed torrents sizes, in bytes', (s) => s.totalSize)
  stat(
    'bbmesh_index_pending_metadata',
    'Infohashes sighted whose metadata has not arrived',
    (s) => s.pendingMetadata,
  )
  stat(
    'bbmesh_index_database_bytes',
    'Size of the index database file plus its WAL, in bytes',
    (s) => s.dbBytes,
  )
  stat('bbmesh_index_cache_bytes', 'Bytes of cached raw info dicts', (s) => s.cacheBytes)
  for (const src of extra) addSource(registry, src)
  return {
    registry,
    observeRequest(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) })
      duration.observe({ route }, seconds)
    },
    rateLimited() {
      limited.inc()
    },
  }
}

/** Exposes a collaborator's counter or gauge; its value is read fresh on every scrape. */
function addSource(registry: Registry, src: MetricSource): void {
  const pattern = src.type === 'counter' ? COUNTER_NAME : GAUGE_NAME
  if (!pattern.test(src.name))
    throw new ServerError(
      'BAD_METRIC',
      `metric ${src.name}: ${src.type === 'counter' ? 'bbmesh_…_total' : 'bbmesh_…'} expected`,
    )
  const labelNames = [...(src.labelNames ?? [])]
  if (src.type === 'gauge') {
    new Gauge({
      name: src.name,
      help: src.help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset()
        for (const s of await src.read()) this.set(s.labels ?? {}, s.value)
      },
    })
    return
  }
  // A source reports absolute totals; prom-client counters only go up through inc(), so each
  // scrape resets and adds the current total (the exposition stays TYPE counter).
  new Counter({
    name: src.name,
    help: src.help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset()
      for (const s of await src.read()) if (s.value > 0) this.inc(s.labels ?? {}, s.value)
    },
  })
}
