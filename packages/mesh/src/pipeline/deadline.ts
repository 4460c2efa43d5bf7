import { setMaxListeners } from 'node:events'
import type { Clock } from '../clock.js'

/**
 * A stop signal shared by many concurrent workers: each waiting withDeadline() adds one 'abort'
 * listener (and removes it when done), so Node's leak warning at 11 listeners is a false alarm.
 */
export function sharedAbortController(): AbortController {
  const ac = new AbortController()
  setMaxListeners(0, ac.signal)
  return ac
}

/**
 * Runs `fn` with a signal that aborts when `parent` aborts or `ms` pass on `clock`, whichever is
 * first; rejects with `onTimeout()` at the deadline even if `fn` ignores its signal.
 */
export function withDeadline<T>(
  clock: Clock,
  ms: number,
  parent: AbortSignal | undefined,
  onTimeout: () => Error,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ac = new AbortController()
  return new Promise<T>((resolve, reject) => {
    const finish = (): void => {
      timer.cancel()
      parent?.removeEventListener('abort', onParent)
    }
    const onParent = (): void => {
      finish()
      ac.abort(parent?.reason)
      reject(parent?.reason)
    }
    const timer = clock.setTimeout(() => {
      finish()
      const err = onTimeout()
      ac.abort(err)
      reject(err)
    }, ms)
    if (parent?.aborted) return onParent()
    parent?.addEventListener('abort', onParent, { once: true })
    fn(ac.signal).then(
      (v) => {
        finish()
        resolve(v)
      },
      (err: unknown) => {
        finish()
        reject(err)
      },
    )
  })
}
