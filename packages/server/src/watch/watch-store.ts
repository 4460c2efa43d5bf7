import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { ServerError } from '../errors.js'

/** A saved search: an RSS feed at /rss/<id>, and an optional webhook told about new matches. */
export interface Watch {
  id: string
  query: string
  /** Torznab category ids, as `cat` takes them; empty: all. */
  categories: number[]
  /** http(s) URL that gets a JSON POST when new torrents match. */
  webhook?: string
  createdAt: string
  /** Infohashes already announced to the webhook (newest last, capped). */
  notified: string[]
}

export interface WatchStore {
  list(): Watch[]
  get(id: string): Watch | undefined
  add(w: { query: string; categories?: number[]; webhook?: string }): Watch
  remove(id: string): boolean
  /** Records infohashes sent to the webhook, so a restart does not send them again. */
  markNotified(id: string, infohashes: readonly string[]): void
}

export const WATCHES_FILE = 'watches.json'
const MAX_WATCHES = 200
const MAX_NOTIFIED = 2_000
const MAX_QUERY_CHARS = 512

/** Throws BAD_PARAMETER unless the URL is http(s) with a host. */
export function checkWebhookUrl(url: string): void {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new ServerError('BAD_PARAMETER', `webhook ${url.slice(0, 80)} is not a URL`)
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '')
    throw new ServerError('BAD_PARAMETER', 'webhook must be an http(s) URL')
}

/**
 * Saved searches in one small JSON file (mode 0600) in the data dir, read on every call so that
 * `bbmesh watch add` in one process is seen by a running `bbmesh serve`; written whole through a
 * temp file and a rename.
 */
export function createWatchStore(path: string): WatchStore {
  const read = (): Watch[] => {
    if (!existsSync(path)) return []
    try {
      const v: unknown = JSON.parse(readFileSync(path, 'utf8'))
      return Array.isArray(v) ? (v as Watch[]) : []
    } catch (err) {
      throw new ServerError('INTERNAL', `${path} is not a watch list: ${(err as Error).message}`)
    }
  }
  const write = (ws: Watch[]): void => {
    const tmp = `${path}.tmp`
    writeFileSync(tmp, JSON.stringify(ws, null, 1) + '\n', { mode: 0o600 })
    renameSync(tmp, path)
  }
  return {
    list: read,
    get: (id) => read().find((w) => w.id === id),
    add(w) {
      const query = w.query.trim()
      if (query === '' || query.length > MAX_QUERY_CHARS)
        throw new ServerError('BAD_PARAMETER', `a saved query needs 1-${MAX_QUERY_CHARS} characters`)
      if (w.webhook !== undefined) checkWebhookUrl(w.webhook)
      const ws = read()
      if (ws.length >= MAX_WATCHES)
        throw new ServerError('BAD_PARAMETER', `at most ${MAX_WATCHES} saved searches`)
      const watch: Watch = {
        id: randomBytes(6).toString('hex'),
        query,
        categories: w.categories ?? [],
        ...(w.webhook !== undefined && { webhook: w.webhook }),
        createdAt: new Date().toISOString(),
        notified: [],
      }
      write([...ws, watch])
      return watch
    },
    remove(id) {
      const ws = read()
      const kept = ws.filter((w) => w.id !== id)
      if (kept.length === ws.length) return false
      write(kept)
      return true
    },
    markNotified(id, infohashes) {
      const ws = read()
      const w = ws.find((x) => x.id === id)
      if (w === undefined || infohashes.length === 0) return
      w.notified = [...w.notified, ...infohashes].slice(-MAX_NOTIFIED)
      write(ws)
    },
  }
}
