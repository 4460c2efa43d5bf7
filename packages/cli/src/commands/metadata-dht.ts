// The DHT side of `bbmesh metadata`: a node for one fetch (find peers for an infohash) and the
// announcer of `metadata serve --announce` (every served infohash with our TCP port, rate-limited,
// repeated every interval).
import { createDhtNode, type DhtNode } from '@bbmesh/dht'
import { parseBootstrap } from './dht-shared.js'

const loopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)

/**
 * Where the DHT node binds when the caller did not say: loopback when every bootstrap node is on
 * loopback or there is none (a local testnet must not open a public socket), else every interface.
 */
export function dhtBindHost(bootstrap: string[] | undefined): string {
  if (bootstrap !== undefined && bootstrap.every((b) => loopback(b.split(':')[0]!))) return '127.0.0.1'
  return '0.0.0.0'
}

/** A listening node that has joined through `--bootstrap` (default: the public routers). */
export async function joinDht(
  bootstrapText: string | undefined,
  signal: AbortSignal,
  host?: string,
): Promise<DhtNode> {
  const bootstrap = parseBootstrap(bootstrapText)
  const node = createDhtNode({ bootstrap })
  try {
    await node.listen(0, host ?? dhtBindHost(bootstrap))
    await untilAborted(node.bootstrap(), signal)
    return node
  } catch (err) {
    await node.destroy()
    throw err
  }
}

/** `p`, or the signal's reason as soon as it fires. */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

export interface AnnounceCycle {
  infohashes: number
  ok: number
  failed: number
  ms: number
}

export interface AnnouncerOptions {
  node: DhtNode
  /** Our TCP port, announced explicitly (not implied_port: the DHT socket is not the TCP one). */
  port: number
  /** The 20-byte hashes to announce, read again at every cycle (the index may change meanwhile). */
  list: () => Promise<Buffer[]>
  /** Announces started per second. */
  perSecond: number
  /** Start a new cycle this long after the previous one started (or at once if it took longer). */
  intervalMs: number
  signal: AbortSignal
  onCycle: (c: AnnounceCycle) => void
  onError: (err: Error) => void
}

/** How `metadata serve` and `torrent seed` report announce cycles: a JSON event, or a line. */
export function announceReports(out: {
  json: boolean
  record(v: unknown): void
  info(line: string): void
  warn(line: string): void
}): Pick<AnnouncerOptions, 'onCycle' | 'onError'> {
  return {
    onCycle: (c) => {
      if (out.json) out.record({ event: 'announced', ...c })
      else out.info(`announced ${c.ok} of ${c.infohashes} infohash(es) in ${c.ms} ms`)
    },
    onError: (err) => out.warn(`announce: ${err.message}`),
  }
}

/** Announces every listed infohash, one at a time within the rate, until the signal fires. */
export async function runAnnouncer(o: AnnouncerOptions): Promise<void> {
  const gapMs = 1000 / o.perSecond
  while (!o.signal.aborted) {
    const started = Date.now()
    const cycle: AnnounceCycle = { infohashes: 0, ok: 0, failed: 0, ms: 0 }
    try {
      const list = await o.list()
      cycle.infohashes = list.length
      for (const ih of list) {
        if (o.signal.aborted) return
        const t = Date.now()
        try {
          await untilAborted(o.node.announce(ih, o.port), o.signal)
          cycle.ok++
        } catch {
          if (o.signal.aborted) return
          cycle.failed++
        }
        await sleep(Math.max(0, gapMs - (Date.now() - t)), o.signal)
      }
    } catch (err) {
      if (o.signal.aborted) return
      o.onError(err as Error)
    }
    cycle.ms = Date.now() - started
    o.onCycle(cycle)
    await sleep(Math.max(0, o.intervalMs - (Date.now() - started)), o.signal)
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

/** Resolves on SIGINT or SIGTERM, or after `durationMs` when given (a serving command's lifetime). */
export function untilStopped(durationMs: number | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      clearTimeout(timer)
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    const timer = durationMs === undefined ? undefined : setTimeout(stop, durationMs)
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
