// What `bbmesh resolve` draws while it works: the short stages (pointer, peers, metadata) as a status
// line, the two long ones (pieces, import) as the shared progress bar with rate and ETA. Everything
// goes through Output.progress, so a pipe, --quiet and --json see none of it.
import type { ResolveOptions } from '@bbmesh/catalog'
import type { Output } from '../output.js'
import { ProgressBar } from '../progress-bar.js'

const LABELS = { pieces: 'fetching catalog', import: 'importing' } as const

export interface ResolveProgress {
  onProgress: NonNullable<ResolveOptions['onProgress']>
  onStep: NonNullable<ResolveOptions['onStep']>
  /** Clears the line; call when the resolve ends, whether it succeeded or not. */
  stop(): void
}

export function resolveProgress(out: Output, now: () => number = Date.now): ResolveProgress {
  let bar: { stage: keyof typeof LABELS; bar: ProgressBar } | undefined
  return {
    onProgress: (stage, detail) => {
      out.progress(`${stage}${detail ? `: ${detail}` : ''}`)
    },
    onStep: (stage, done, total) => {
      // One bar per stage, started on its first step so the rate counts from there.
      if (bar?.stage !== stage) bar = { stage, bar: new ProgressBar(out, LABELS[stage], total, now) }
      bar.bar.tick(done - bar.bar.done)
    },
    stop: () => out.clearProgress(),
  }
}
