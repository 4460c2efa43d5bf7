import { sleep, type Clock } from '../clock.js'
import type { Random } from '../random.js'

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number
  /** Cap on any delay. */
  maxMs: number
  /** Growth per attempt; 2 by default. */
  factor?: number
  /**
   * 'full': uniform in [0, d] (spreads retries best; AWS's recommendation), 'equal': in [d/2, d],
   * 'none': exactly d.
   */
  jitter?: 'full' | 'equal' | 'none'
}

/** The delay before retry number `attempt` (0 = the first retry): min(max, base·factor^attempt), jittered. */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: Random): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * (opts.factor ?? 2) ** Math.max(0, attempt))
  switch (opts.jitter ?? 'full') {
    case 'full':
      return Math.floor(random() * exp)
    case 'equal':
      return Math.floor(exp / 2 + (random() * exp) / 2)
    case 'none':
      return exp
  }
}

export interface RetryOptions {
  /** Total tries, the first included (≥ 1). */
  attempts: number
  backoff: BackoffOptions
  clock: Clock
  random: Random
  signal?: AbortSignal
  /** Whether an error is worth another try; every error by default. */
  shouldRetry?: (err: unknown, attempt: number) => boolean
  /** Called before each wait, e.g. to count retries. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void
}

/**
 * Runs `fn` until it succeeds, the error is not retryable, or the attempts run out (then the last
 * error is thrown). Waits between tries on the injected clock; an abort ends the wait at once.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const attempts = Math.max(1, Math.floor(opts.attempts))
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted()
    try {
      return await fn(attempt)
    } catch (err) {
      const last = attempt + 1 >= attempts
      if (last || opts.signal?.aborted || (opts.shouldRetry && !opts.shouldRetry(err, attempt))) throw err
      const delay = backoffDelay(attempt, opts.backoff, opts.random)
      opts.onRetry?.(err, attempt, delay)
      await sleep(opts.clock, delay, opts.signal)
    }
  }
}
