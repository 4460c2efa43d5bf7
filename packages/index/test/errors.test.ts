import { openSync, readSync, writeFileSync, writeSync, closeSync, fstatSync } from 'node:fs'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { IndexError, openIndex } from '../src/index.js'
import { ih1, tempDir, torrent } from './helpers.js'

describe('storage failures become one-line IndexErrors', () => {
  let dir: string
  let cleanup: () => void
  beforeEach(() => {
    ;({ dir, cleanup } = tempDir())
  })
  afterEach(() => cleanup())

  const oneLine = (err: unknown) => {
    expect(err).toBeInstanceOf(IndexError)
    expect((err as Error).message).not.toContain('\n')
  }

  it('INDEX_UNWRITABLE for a path in a missing directory or under a file', async () => {
    for (const path of [`${dir}/missing/dir/i.db`, `${dir}/file.txt/i.db`]) {
      writeFileSync(`${dir}/file.txt`, 'x')
      const err = await openIndex({ path }).catch((e: unknown) => e)
      oneLine(err)
      expect(err).toMatchObject({ code: 'INDEX_UNWRITABLE' })
    }
  })

  it('INDEX_CORRUPT for a file that is not a database', async () => {
    writeFileSync(`${dir}/junk.db`, Buffer.alloc(8192, 'this is not sqlite '))
    const err = await openIndex({ path: `${dir}/junk.db` }).catch((e: unknown) => e)
    oneLine(err)
    expect(err).toMatchObject({ code: 'INDEX_CORRUPT' })
    const ro = await openIndex({ path: `${dir}/junk.db`, readonly: true }).catch((e: unknown) => e)
    expect(ro).toMatchObject({ code: 'INDEX_CORRUPT' })
  })

  it('INDEX_CORRUPT when pages are damaged under an open-able header', async () => {
    const path = `${dir}/damaged.db`
    const ix = await openIndex({ path })
    await ix.ingest(Array.from({ length: 300 }, (_, i) => torrent(i)))
    await ix.close()
    // Scribble over everything after the first page (the header and schema stay readable).
    const fd = openSync(path, 'r+')
    const size = fstatSync(fd).size
    const head = Buffer.alloc(100)
    readSync(fd, head, 0, 100, 0)
    writeSync(fd, Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096)
    closeSync(fd)
    const err = await (async () => {
      const damaged = await openIndex({ path })
      try {
        await damaged.search({ text: 'test' })
        await damaged.get(ih1(5))
      } finally {
        await damaged.close()
      }
    })().catch((e: unknown) => e)
    oneLine(err)
    expect(err).toMatchObject({ code: 'INDEX_CORRUPT' })
  })

  it('INDEX_LOCKED when another process holds the write lock', async () => {
    const path = `${dir}/locked.db`
    // A fresh file locked before WAL is enabled: switching journal mode needs the lock.
    const other = new BetterSqlite3(path)
    other.exec('create table x(a); begin exclusive; insert into x values (1)')
    const err = await openIndex({ path, busyTimeoutMs: 50 }).catch((e: unknown) => e)
    oneLine(err)
    expect(err).toMatchObject({ code: 'INDEX_LOCKED' })
    other.exec('rollback')
    other.close()

    const ix = await openIndex({ path, busyTimeoutMs: 50 })
    const writer = new BetterSqlite3(path)
    writer.exec('begin immediate')
    // Readers still work under WAL; the writer waits, then fails with INDEX_LOCKED.
    expect(await ix.has(ih1(1))).toBe(false)
    await expect(ix.ingest([torrent(1)])).rejects.toMatchObject({ code: 'INDEX_LOCKED' })
    writer.exec('rollback')
    writer.close()
    expect(await ix.ingest([torrent(1)])).toMatchObject({ inserted: 1, updated: 0 })
    await ix.close()
  })

  it('BAD_INPUT for a malformed infohash or options', async () => {
    const ix = await openIndex({ path: ':memory:' })
    await expect(ix.get('xyz')).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(ix.get('ab'.repeat(21))).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(ix.has(new Uint8Array(5))).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(ix.metadataCache.put(new Uint8Array(3), new Uint8Array(3))).rejects.toMatchObject({
      code: 'BAD_INPUT',
    })
    await ix.close()
    await expect(openIndex({ path: '' })).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(openIndex({ path: ':memory:', busyTimeoutMs: -1 })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    })
  })
})
