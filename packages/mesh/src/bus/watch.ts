// Polling a slot: one read at a time, the next one `intervalMs` after the last finished, so a slow
// DHT never stacks reads up.
import type { Clock, Timer } from '../clock.js'
import { DEFAULT_WATCH_MS, MAX_WATCH_MS, MIN_WATCH_MS } from './constants.js'
import { BusError } from './errors.js'
import type { BusEntry } from './sealed-item.js'

export interface WatchOptions {
  /** Poll interval, clamped to 1 s .. 1 h. Default 60 s. */
  intervalMs?: number
}

export interface WatchParts {
  clock: Clock
  read: () => Promise<BusEntry | null>
  onValue: (entry: BusEntry) => void
  onError: (err: unknown) => void
  opts: WatchOptions
}

/** Starts polling at once; `onValue` sees each seq higher than the last it saw. Returns stop. */
export function startWatch(p: WatchParts): () => void {
  const requested = p.opts.intervalMs ?? DEFAULT_WATCH_MS
  if (!Number.isFinite(requested)) throw new BusError('BAD_ARGUMENT', 'intervalMs must be a finite number')
  const interval = Math.min(MAX_WATCH_MS, Math.max(MIN_WATCH_MS, requested))
  let lastSeq = -1
  let stopped = false
  let timer: Timer | null = null
  const poll = async (): Promise<void> => {
    timer = null
    try {
      const entry = await p.read()
      if (!stopped && entry && entry.seq > lastSeq) {
        lastSeq = entry.seq
        p.onValue(entry)
      }
    } catch (err) {
      // A closed bus ends the watch; a throwing callback is counted and the watch goes on.
      if (err instanceof BusError && err.code === 'BUS_CLOSED') return
      p.onError(err)
    }
    if (!stopped) timer = p.clock.setTimeout(() => void poll(), interval)
  }
  timer = p.clock.setTimeout(() => void poll(), 0)
  return () => {
    stopped = true
    timer?.cancel()
    timer = null
  }
}
