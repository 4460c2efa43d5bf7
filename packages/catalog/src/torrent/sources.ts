import { lstat, open, readdir, stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { READ_CHUNK } from '../constants.js'
import { CatalogError } from '../errors.js'

/** One file of a torrent payload held in memory. Path elements may be text (UTF-8) or raw bytes. */
export interface MemoryFile {
  path: readonly (string | Uint8Array)[]
  data: Uint8Array
}

/**
 * What a torrent is built from: a file or directory on disk (streamed), a set of in-memory files
 * (a multi-file torrent named `name`), or one in-memory file (a single-file torrent named `name`).
 */
export type TorrentSource =
  string | { name: string; files: readonly MemoryFile[] } | { name: string; data: Uint8Array }

/** A payload file in BEP 52 file-tree order, ready to be read. */
export interface SourceFile {
  path: Uint8Array[]
  length: number
  /** Where the file is on disk (raw path bytes), so worker threads can read it themselves. */
  diskPath?: Uint8Array
  /** Yields the file's bytes; a yielded chunk is only valid until the next one is requested. */
  read(): AsyncIterable<Uint8Array>
}

export interface ResolvedSource {
  name: Uint8Array
  /** True when the torrent is one file without a directory (BEP 3 `length`, file tree `{name: …}`). */
  single: boolean
  files: SourceFile[]
}

/** Plain Uint8Array copies, so results compare equal whatever the caller passed (Buffer or not). */
const bytes = (s: string | Uint8Array): Uint8Array =>
  new Uint8Array(typeof s === 'string' ? Buffer.from(s, 'utf8') : s)

export async function resolveSource(source: TorrentSource): Promise<ResolvedSource> {
  if (typeof source === 'string') return resolveDisk(source)
  const name = checkElement(bytes(source.name))
  if ('data' in source) {
    const data = source.data
    return { name, single: true, files: [{ path: [name], length: data.byteLength, read: () => once(data) }] }
  }
  const files = source.files.map((f): SourceFile => {
    const data = f.data
    return {
      path: f.path.map((e) => checkElement(bytes(e))),
      length: data.byteLength,
      read: () => once(data),
    }
  })
  return { name, single: false, files: sortFiles(files) }
}

async function* once(data: Uint8Array): AsyncIterable<Uint8Array> {
  if (data.byteLength > 0) yield data
}

/** BEP 52 orders files as a depth-first walk of the file tree, whose keys sort as raw bytes. */
export function comparePaths(a: readonly Uint8Array[], b: readonly Uint8Array[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = Buffer.compare(a[i] as Uint8Array, b[i] as Uint8Array)
    if (c !== 0) return c
  }
  return a.length - b.length
}

function sortFiles(files: SourceFile[]): SourceFile[] {
  if (files.length === 0) throw new CatalogError('BAD_INPUT', 'a torrent needs at least one file')
  files.sort((a, b) => comparePaths(a.path, b.path))
  for (let i = 1; i < files.length; i++) {
    const prev = (files[i - 1] as SourceFile).path
    const cur = (files[i] as SourceFile).path
    // Sorted, a file that is also a directory prefix of the next path sits right before it.
    if (prev.length <= cur.length && prev.every((e, j) => Buffer.compare(e, cur[j] as Uint8Array) === 0)) {
      throw new CatalogError('BAD_INPUT', `duplicate or conflicting path: ${display(cur)}`)
    }
  }
  return files
}

const display = (path: readonly Uint8Array[]): string =>
  path.map((e) => Buffer.from(e).toString('utf8')).join('/')

/** Path elements that would escape or confuse the download directory are refused (BEP 52 "file tree"). */
function checkElement(e: Uint8Array): Uint8Array {
  const s = Buffer.from(e).toString('latin1')
  if (e.byteLength === 0 || s === '.' || s === '..' || s.includes('/') || s.includes('\0')) {
    throw new CatalogError(
      'BAD_INPUT',
      `invalid path element ${JSON.stringify(Buffer.from(e).toString('utf8'))}`,
    )
  }
  return e
}

async function resolveDisk(path: string): Promise<ResolvedSource> {
  const root = resolve(path)
  // The root may be a symlink (followed); inside a directory, symlinks are skipped.
  const st = await stat(root).catch((err: unknown) => {
    throw new CatalogError('BAD_INPUT', `cannot read ${path}: ${(err as Error).message}`, { cause: err })
  })
  const name = checkElement(bytes(basename(root)))
  if (st.isFile()) {
    return { name, single: true, files: [diskFile(Buffer.from(root), [name], st.size)] }
  }
  if (!st.isDirectory()) throw new CatalogError('BAD_INPUT', `${path} is neither a file nor a directory`)
  const files: SourceFile[] = []
  await walk(Buffer.from(root), [], files)
  return { name, single: false, files: sortFiles(files) }
}

/** Regular files only: symlinks and special files are skipped so the result does not depend on targets. */
async function walk(dir: Buffer, prefix: Uint8Array[], out: SourceFile[]): Promise<void> {
  const names = await readdir(dir, { encoding: 'buffer' })
  for (const entry of names) {
    const full = Buffer.concat([dir, Buffer.from('/'), entry])
    const st = await lstat(full)
    if (st.isDirectory()) await walk(full, [...prefix, bytes(entry)], out)
    else if (st.isFile()) out.push(diskFile(full, [...prefix, bytes(entry)], st.size))
  }
}

function diskFile(full: Buffer, path: Uint8Array[], length: number): SourceFile {
  return {
    path,
    length,
    diskPath: new Uint8Array(full),
    async *read() {
      const fh = await open(full, 'r')
      try {
        const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(length, 1)))
        let done = 0
        while (done < length) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.byteLength, length - done), done)
          if (bytesRead === 0) break
          done += bytesRead
          yield buf.subarray(0, bytesRead)
        }
        const { bytesRead: extra } = await fh.read(Buffer.alloc(1), 0, 1, done)
        if (done !== length || extra !== 0) {
          throw new CatalogError('INPUT_CHANGED', `${display(path)} changed size while it was being hashed`)
        }
      } finally {
        await fh.close()
      }
    },
  }
}
