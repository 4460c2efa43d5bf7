import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'

/** One point in time: named totals (counters) and levels (gauges), e.g. { torrents: 1200 }. */
export interface Sample {
  /** Unix milliseconds. */
  t: number
  values: Record<string, number>
}

export interface SampleStoreOptions {
  /** An NDJSON file that keeps the samples across restarts; undefined keeps them in memory only. */
  path?: string
  /** What to record at each tick. */
  read: () => Promise<Record<string, number>>
  /** Default one minute: the charts' resolution. */
  intervalMs?: number
  /** Samples kept (default 10,080: a week of minutes). */
  maxSamples?: number
  now?: () => number
}

export interface SampleStore {
  /** Loads the file, takes a first sample and one every interval. Idempotent. */
  start(): Promise<void>
  /** Stops the timer (the file is written as samples are taken). Idempotent. */
  stop(): void
  /** Takes one sample now. */
  sample(): Promise<void>
  samples(): readonly Sample[]
}

const DEFAULT_INTERVAL_MS = 60_000
const DEFAULT_MAX = 10_080

/**
 * Samples of the index and crawl counters for the dashboard charts. The index keeps no history of
 * its own, so this store appends one JSON line per sample and reloads them on start: charts survive
 * restarts. When the file holds twice the cap it is rewritten with the newest `maxSamples`.
 */
export function createSampleStore(opts: SampleStoreOptions): SampleStore {
  const interval = opts.intervalMs ?? DEFAULT_INTERVAL_MS
  const max = opts.maxSamples ?? DEFAULT_MAX
  const now = opts.now ?? Date.now
  let samples: Sample[] = []
  let lines = 0
  let timer: NodeJS.Timeout | undefined
  let started = false

  const load = (): void => {
    if (opts.path === undefined || !existsSync(opts.path)) return
    for (const line of readFileSync(opts.path, 'utf8').split('\n')) {
      if (line === '') continue
      lines += 1
      const s = parseSample(line)
      if (s !== undefined) samples.push(s)
    }
    samples = samples.slice(-max)
  }

  const persist = (s: Sample): void => {
    if (opts.path === undefined) return
    appendFileSync(opts.path, JSON.stringify(s) + '\n', { mode: 0o600 })
    lines += 1
    if (lines >= 2 * max) {
      // Rewrite through a temp file so a crash mid-way leaves the old file whole.
      const tmp = `${opts.path}.tmp`
      writeFileSync(tmp, samples.map((x) => JSON.stringify(x) + '\n').join(''), { mode: 0o600 })
      renameSync(tmp, opts.path)
      lines = samples.length
    }
  }

  const store: SampleStore = {
    async start() {
      if (started) return
      started = true
      load()
      await store.sample()
      timer = setInterval(() => void store.sample().catch(() => undefined), interval)
      timer.unref()
    },
    stop() {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
    },
    async sample() {
      const s: Sample = { t: now(), values: await opts.read() }
      samples.push(s)
      if (samples.length > max) samples = samples.slice(-max)
      persist(s)
    },
    samples: () => samples,
  }
  return store
}

function parseSample(line: string): Sample | undefined {
  try {
    const v: unknown = JSON.parse(line)
    if (typeof v !== 'object' || v === null) return undefined
    const { t, values } = v as { t?: unknown; values?: unknown }
    if (typeof t !== 'number' || typeof values !== 'object' || values === null) return undefined
    const clean: Record<string, number> = {}
    for (const [k, n] of Object.entries(values)) if (typeof n === 'number' && Number.isFinite(n)) clean[k] = n
    return { t, values: clean }
  } catch {
    // A torn last line after a crash is skipped, not fatal.
    return undefined
  }
}

/**
 * Per-minute rate of a counter between consecutive samples. A drop means the counting process
 * restarted from zero, so the new value itself is the increase.
 */
export function ratePerMinute(samples: readonly Sample[], key: string): Array<{ t: number; v: number }> {
  const out: Array<{ t: number; v: number }> = []
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1] as Sample
    const b = samples[i] as Sample
    const va = a.values[key]
    const vb = b.values[key]
    if (va === undefined || vb === undefined || b.t <= a.t) continue
    const inc = vb >= va ? vb - va : vb
    out.push({ t: b.t, v: (inc * 60_000) / (b.t - a.t) })
  }
  return out
}

export function levels(samples: readonly Sample[], key: string): Array<{ t: number; v: number }> {
  return samples.flatMap((s) => (s.values[key] === undefined ? [] : [{ t: s.t, v: s.values[key] as number }]))
}
