// PooledIndex.integrityCheck: empty on a sound file, SQLite's findings on a damaged one.
import { openSync, writeSync, closeSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openIndex } from '../src/index.js'
import { tempDir, torrent } from './helpers.js'

let dir: string
let cleanup: () => void
beforeEach(() => ({ dir, cleanup } = tempDir()))
afterEach(() => cleanup())

describe('integrityCheck', () => {
  it('reports nothing on a sound index and findings on a damaged one', async () => {
    const path = join(dir, 'index.db')
    const ix = await openIndex({ path })
    await ix.ingest(Array.from({ length: 300 }, (_, n) => torrent(n)))
    expect(await ix.integrityCheck()).toEqual([])
    await ix.close()

    // Overwrite the second half of the file (past the schema page) with garbage.
    const size = statSync(path).size
    const fd = openSync(path, 'r+')
    writeSync(fd, Buffer.alloc(Math.floor(size / 2), 0x5a), 0, Math.floor(size / 2), Math.floor(size / 2))
    closeSync(fd)
    const damaged = await openIndex({ path, readonly: true }).catch((err: Error) => err)
    if (damaged instanceof Error) {
      expect(damaged.message).toMatch(/malformed|corrupt|not a database/i)
      return
    }
    const findings = await damaged.integrityCheck().catch((err: Error) => [err.message])
    await damaged.close()
    expect(findings.length).toBeGreaterThan(0)
  })
})
