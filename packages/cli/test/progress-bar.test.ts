// The progress bar: its text, and that it draws only on an interactive stderr without --quiet/--json.
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { Output } from '../src/output.js'
import { formatBar, ProgressBar, withProgress } from '../src/progress-bar.js'

function fakeStderr(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  let text = ''
  const w = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk)
      cb()
    },
  })
  return Object.assign(w, { isTTY, text: () => text })
}

describe('progress bar', () => {
  it('shows percent, count, rate and ETA', () => {
    const line = formatBar('exporting', 2500, 10_000, 5000)
    expect(line).toMatch(/^exporting \[█{6}░{18}\] {2}25% {2}2,500\/10,000 {2}500\/s {2}ETA 15s$/)
    expect(formatBar('x', 10, undefined, 1000)).toBe('x  10  10/s')
    expect(formatBar('x', 12, 10, 1000)).toContain('100%  10/10')
  })

  it('draws on a TTY at most every 100 ms, and never with --quiet, --json or a pipe', async () => {
    const draws = (opts: { json?: boolean; quiet?: boolean; isTTY?: boolean }): string => {
      const stderr = fakeStderr(opts.isTTY ?? true)
      const out = new Output({ json: opts.json === true, quiet: opts.quiet === true, verbose: false, stderr })
      let t = 0
      const bar = new ProgressBar(out, 'exporting', 1000, () => t)
      for (let i = 0; i < 1000; i++) {
        t += 1 // 1 ms per item: 1000 items in 1 s
        bar.tick()
      }
      bar.stop()
      return stderr.text()
    }
    const tty = draws({})
    const frames = tty.split('\r\x1b[2K').filter((f) => f !== '')
    expect(frames.length).toBeGreaterThanOrEqual(9)
    expect(frames.length).toBeLessThanOrEqual(11)
    expect(frames.at(-1)).toMatch(/exporting \[.*\]\s+\d+%/)
    expect(draws({ quiet: true })).toBe('')
    expect(draws({ json: true })).toBe('')
    expect(draws({ isTTY: false })).toBe('')

    const stderr = fakeStderr(true)
    const bar = new ProgressBar(new Output({ json: false, quiet: false, verbose: false, stderr }), 'x', 3)
    const seen: number[] = []
    async function* items() {
      yield* [1, 2, 3]
    }
    for await (const n of withProgress(items(), bar)) seen.push(n)
    expect(seen).toEqual([1, 2, 3])
    expect(bar.done).toBe(3)
  })
})
