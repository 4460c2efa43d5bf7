import type { ClassifiedSearch } from '../search/classified-search.js'
import { magnetLink, primaryInfohash } from '../search/magnet.js'
import type { Watch, WatchStore } from './watch-store.js'

export interface WatcherOptions {
  store: WatchStore
  search: ClassifiedSearch
  /** Default one minute. */
  intervalMs?: number
  onError?: (err: unknown) => void
}

/** Newest matches looked at per check: new torrents arrive newest-first, so this bounds the work. */
const CHECK_LIMIT = 50
const WEBHOOK_TIMEOUT_MS = 10_000

/**
 * Checks every saved search with a webhook as the index grows: matches first seen after the watch
 * was saved and not announced before are POSTed as JSON, then remembered in the store.
 */
export function createWatcher(opts: WatcherOptions): {
  start(): void
  stop(): void
  checkOnce(): Promise<number>
} {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<number> | undefined
  const checkOnce = async (): Promise<number> => {
    let sent = 0
    for (const w of opts.store.list()) {
      if (w.webhook === undefined) continue
      try {
        sent += await checkWatch(w, w.webhook)
      } catch (err) {
        // One unreachable webhook must not hold up the others; it is retried next time.
        opts.onError?.(err)
      }
    }
    return sent
  }
  const checkWatch = async (w: Watch, webhook: string): Promise<number> => {
    const page = await opts.search.search({
      text: w.query,
      limit: CHECK_LIMIT,
      offset: 0,
      categories: w.categories,
    })
    // first_seen is stored in whole seconds: compare at that grain.
    const since = Math.floor(Date.parse(w.createdAt) / 1000) * 1000
    const seen = new Set(w.notified)
    const fresh = page.hits.filter(
      ({ hit }) => hit.firstSeen.getTime() >= since && !seen.has(primaryInfohash(hit)),
    )
    if (fresh.length === 0) return 0
    const body = {
      watch: { id: w.id, query: w.query },
      torrents: fresh.map(({ hit, classification }) => ({
        infohash: primaryInfohash(hit),
        name: hit.name,
        size: hit.totalSize,
        files: hit.fileCount,
        firstSeen: hit.firstSeen.toISOString(),
        magnet: magnetLink(hit),
        category: classification.subcategory,
      })),
    }
    const res = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    })
    // Only a 2xx counts as delivered; anything else is retried on the next check.
    if (!res.ok) throw new Error(`webhook ${w.id} answered ${res.status}`)
    opts.store.markNotified(
      w.id,
      body.torrents.map((t) => t.infohash),
    )
    return fresh.length
  }
  const tick = (): void => {
    if (running !== undefined) return
    running = checkOnce()
      .catch((err: unknown) => {
        opts.onError?.(err)
        return 0
      })
      .finally(() => {
        running = undefined
      })
  }
  return {
    start() {
      if (timer !== undefined) return
      timer = setInterval(tick, opts.intervalMs ?? 60_000)
      timer.unref()
    },
    stop() {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
    },
    checkOnce,
  }
}
