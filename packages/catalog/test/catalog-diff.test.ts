import { describe, expect, it } from 'vitest'
import { encodeEntryLine } from '../src/index.js'
import { diffLines, lineKey, linesOf } from '../src/publish/catalog-diff.js'
import { library, syntheticEntry } from './catalog-entries.js'

const key = (i: number): string => {
  const e = syntheticEntry(i)
  return e.infohashV1 ?? (e.infohashV2 as string)
}
/** Canonical lines of entries `ids` (rev'd where asked), sorted by key as a catalog file holds them. */
const file = (ids: number[], revs: ReadonlySet<number> = new Set()): Uint8Array =>
  Buffer.from(
    ids
      .map((i) => syntheticEntry(i, revs.has(i) ? 1 : 0))
      .map((e) => [e.infohashV1 ?? (e.infohashV2 as string), encodeEntryLine(e)] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map((x) => x[1])
      .join(''),
  )
async function* lines(...files: Uint8Array[]): AsyncGenerator<string> {
  for (const f of files) yield* linesOf(f)
}

describe('catalog line diff', () => {
  it('reads the key of v1 and v2-only lines without parsing them', () => {
    for (const e of library(6)) expect(lineKey(encodeEntryLine(e))).toBe(e.infohashV1 ?? e.infohashV2)
    expect(() => lineKey('{"name":"x"}')).toThrow(/key/)
  })

  it('finds removed, changed and added entries in one merge walk', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => i)
    const next = [...ids.filter((i) => i % 10 !== 3), 100, 101, 102]
    const d = await diffLines(lines(file(ids)), lines(file(next, new Set([5, 17]))))
    expect(d.removed.sort()).toEqual(
      ids
        .filter((i) => i % 10 === 3)
        .map(key)
        .sort(),
    )
    expect(d.changed.sort()).toEqual([key(5), key(17)].sort())
    expect(d.added).toBe(3)
    expect(await diffLines(lines(file(ids)), lines(file(ids)))).toEqual({
      removed: [],
      changed: [],
      added: 0,
    })
    expect((await diffLines(lines(), lines(file(ids)))).added).toBe(60)
    expect((await diffLines(lines(file(ids)), lines())).removed).toHaveLength(60)
  })

  it('walks lines across files and past the end without a trailing newline', () => {
    expect([...linesOf(Buffer.from('a\nb\n'))]).toEqual(['a', 'b'])
    expect([...linesOf(Buffer.from('a\nb'))]).toEqual(['a', 'b'])
    expect([...linesOf(new Uint8Array(0))]).toEqual([])
  })
})
