// A progress bar with rate and ETA for long loops (export, catalog build, publish, resolve), drawn
// through Output.progress: only on an interactive stderr, never with --quiet or --json.
import type { Output } from './output.js'

const WIDTH = 24
const REDRAW_MS = 100

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?'
  if (s < 60) return `${Math.ceil(s)}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** `label [█████░░░]  42%  4,200/10,000  1,050/s  ETA 6s`; without a total, count and rate only. */
export function formatBar(label: string, done: number, total: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0
  const n = (x: number): string => Math.round(x).toLocaleString('en-US')
  if (total === undefined || total <= 0) return `${label}  ${n(done)}  ${n(rate)}/s`
  const frac = Math.min(1, done / total)
  const filled = Math.round(frac * WIDTH)
  const eta = rate > 0 ? Math.max(0, total - done) / rate : Infinity
  return (
    `${label} [${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%` +
    `  ${n(Math.min(done, total))}/${n(total)}  ${n(rate)}/s  ETA ${duration(eta)}`
  )
}

export class ProgressBar {
  #done = 0
  #lastDraw = 0
  readonly #started: number
  constructor(
    private readonly out: Output,
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.#started = now()
  }

  tick(n = 1): void {
    this.#done += n
    const t = this.now()
    if (t - this.#lastDraw < REDRAW_MS) return
    this.#lastDraw = t
    this.out.progress(formatBar(this.label, this.#done, this.total, t - this.#started))
  }

  get done(): number {
    return this.#done
  }

  stop(): void {
    this.out.clearProgress()
  }
}

/** Passes an async iterable through, ticking the bar once per item. */
export async function* withProgress<T>(items: AsyncIterable<T>, bar: ProgressBar): AsyncGenerator<T> {
  for await (const item of items) {
    bar.tick()
    yield item
  }
}
