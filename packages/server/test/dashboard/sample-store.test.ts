import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createSampleStore } from '../../src/index.js'
import { ratePerMinute } from '../../src/dashboard/sample-store.js'

let dir: string | undefined
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

describe('sample store', () => {
  it('keeps samples across a restart and skips a torn last line', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bbmesh-samples-'))
    const path = join(dir, 'samples.ndjson')
    let t = 1_000_000
    let n = 0
    const make = () =>
      createSampleStore({
        path,
        read: async () => ({ torrents: (n += 5) }),
        now: () => (t += 60_000),
        intervalMs: 3_600_000,
      })
    const first = make()
    await first.start()
    await first.sample()
    first.stop()
    appendFileSync(path, '{"t": 12, "values": {"torr')
    const second = make()
    await second.start()
    second.stop()
    expect(second.samples().map((s) => s.values.torrents)).toEqual([5, 10, 15])
    expect(ratePerMinute(second.samples(), 'torrents').map((p) => p.v)).toEqual([5, 5])
  })

  it('rewrites the file to the newest samples when it grows past twice the cap', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bbmesh-samples-'))
    const path = join(dir, 'samples.ndjson')
    let t = 0
    let n = 0
    const store = createSampleStore({
      path,
      read: async () => ({ n: ++n }),
      now: () => (t += 1_000),
      maxSamples: 3,
    })
    for (let i = 0; i < 6; i++) await store.sample()
    const lines = readFileSync(path, 'utf8').trim().split('\n')
    expect(lines.map((l) => (JSON.parse(l) as { values: { n: number } }).values.n)).toEqual([4, 5, 6])
    expect(store.samples().map((s) => s.values.n)).toEqual([4, 5, 6])
  })

  it('reads a counter that restarted from zero as a fresh increase, not a negative rate', () => {
    const s = [
      { t: 0, values: { c: 100 } },
      { t: 60_000, values: { c: 160 } },
      { t: 120_000, values: { c: 20 } },
    ]
    expect(ratePerMinute(s, 'c').map((p) => p.v)).toEqual([60, 20])
  })
})
