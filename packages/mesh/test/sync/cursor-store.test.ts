// Sync cursors on disk: saved whole and reloaded by a new store (a restart), the latest save wins
// however saves interleave, and a damaged file is a typed error rather than a silent restart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FileCursorStore } from '../../src/sync/cursor-store.js'

const dir = mkdtempSync(join(tmpdir(), 'bbmesh-sync-cursors-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('FileCursorStore', () => {
  it('keeps each member its cursor across a restart, the last save winning', async () => {
    const path = join(dir, 'sub', 'cursors.json')
    const a = new FileCursorStore(path)
    expect(await a.load('m1')).toBeUndefined()
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => a.save('m1', { after: new Uint8Array(20).fill(i), done: false })),
    )
    await a.save('m2', { after: new Uint8Array(32).fill(7), done: true })
    const b = new FileCursorStore(path)
    const m1 = await b.load('m1')
    expect(Buffer.from(m1!.after).equals(Buffer.alloc(20, 19))).toBe(true)
    expect(m1!.done).toBe(false)
    expect(await b.load('m2')).toMatchObject({ done: true })
    expect((await b.load('m2'))!.after.length).toBe(32)
  })

  it('refuses a damaged file with a code, and skips entries it cannot read', async () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{"m1": {"after": "')
    await expect(new FileCursorStore(bad).load('m1')).rejects.toMatchObject({ code: 'SYNC_BAD_CURSOR_FILE' })
    const odd = join(dir, 'odd.json')
    writeFileSync(odd, JSON.stringify({ m1: { after: 'zz', done: false }, m2: { after: '', done: true } }))
    const s = new FileCursorStore(odd)
    expect(await s.load('m1')).toBeUndefined()
    expect(await s.load('m2')).toMatchObject({ done: true })
  })
})
