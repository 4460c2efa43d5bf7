// Cursors kept in one small JSON file (in the member's data dir), rewritten whole through a temporary
// file and a rename after every page, so a kill leaves either the old or the new cursor, never half
// of one. A cursor is saved only once its page is stored, so resuming never skips a torrent.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { COMMUNITIES_DIR } from '../community/key-store.js'
import { SyncError } from './errors.js'
import type { CursorStore, SyncCursor } from './types.js'

/** Members remembered at most; the least recently saved are forgotten (their next pass starts over). */
const MAX_MEMBERS = 4_096

/** Where a member of community `name` keeps its cursors: beside the community's key in the data dir. */
export function communityCursorPath(dataDir: string, name: string): string {
  return join(dataDir, COMMUNITIES_DIR, `${name}.sync-cursors.json`)
}

interface FileEntry {
  after: string
  done: boolean
}

export class FileCursorStore implements CursorStore {
  private entries: Map<string, FileEntry> | undefined
  private writing: Promise<void> = Promise.resolve()

  constructor(readonly path: string) {}

  async load(member: string): Promise<SyncCursor | undefined> {
    const e = (await this.read()).get(member)
    return e && { after: new Uint8Array(Buffer.from(e.after, 'hex')), done: e.done }
  }

  async save(member: string, cursor: SyncCursor): Promise<void> {
    const entries = await this.read()
    entries.delete(member)
    entries.set(member, { after: Buffer.from(cursor.after).toString('hex'), done: cursor.done })
    while (entries.size > MAX_MEMBERS) entries.delete(entries.keys().next().value as string)
    const text = JSON.stringify(Object.fromEntries(entries)) + '\n'
    // One write at a time, in call order, so an older cursor never lands after a newer one.
    const write = this.writing.then(async () => {
      await mkdir(dirname(this.path), { recursive: true })
      await writeFile(`${this.path}.tmp`, text)
      await rename(`${this.path}.tmp`, this.path)
    })
    this.writing = write.catch(() => undefined)
    await write
  }

  private async read(): Promise<Map<string, FileEntry>> {
    if (this.entries) return this.entries
    let text: string | undefined
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const entries = new Map<string, FileEntry>()
    if (text !== undefined) {
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch (err) {
        throw new SyncError('SYNC_BAD_CURSOR_FILE', `${this.path}: not JSON`, { cause: err })
      }
      if (typeof parsed !== 'object' || parsed === null)
        throw new SyncError('SYNC_BAD_CURSOR_FILE', `${this.path}: not an object`)
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        const e = v as Partial<FileEntry> | null
        if (
          e &&
          typeof e.after === 'string' &&
          /^([0-9a-f]{40}|[0-9a-f]{64}|)$/.test(e.after) &&
          typeof e.done === 'boolean'
        )
          entries.set(k, { after: e.after, done: e.done })
      }
    }
    this.entries ??= entries
    return this.entries
  }
}

/** Cursors for one process only (a member that keeps no data dir). */
export class MemoryCursorStore implements CursorStore {
  private readonly entries = new Map<string, SyncCursor>()

  async load(member: string): Promise<SyncCursor | undefined> {
    return this.entries.get(member)
  }

  async save(member: string, cursor: SyncCursor): Promise<void> {
    this.entries.delete(member)
    this.entries.set(member, cursor)
    while (this.entries.size > MAX_MEMBERS) this.entries.delete(this.entries.keys().next().value as string)
  }
}
