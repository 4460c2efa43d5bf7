// Where piece bytes come from and go to: memory (catalogs, testnet seeds) or a directory on disk.
// Both map a range of the piece-aligned stream onto files; pad ranges read as zeros and are never stored.
import { mkdir, open } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { PieceError } from './errors.js'
import { filesIn, pieceSize, type LayoutFile, type TorrentLayout } from './layout.js'

export interface PieceStorage {
  readonly layout: TorrentLayout
  has(index: number): boolean
  read(index: number, begin: number, length: number): Promise<Uint8Array>
  /** Stores a verified piece. */
  write(index: number, data: Uint8Array): Promise<void>
}

/** '/'-joined path of a layout file (UTF-8 text of the raw elements); '' for a single-file torrent. */
export const filePath = (f: LayoutFile): string =>
  f.path.map((p) => Buffer.from(p).toString('utf8')).join('/')

interface Span {
  file: LayoutFile
  fileOffset: number
  bufOffset: number
  length: number
}

function spans(l: TorrentLayout, index: number, begin: number, length: number): Span[] {
  if (index < 0 || index >= l.pieceCount || begin < 0 || length < 0 || begin + length > pieceSize(l, index))
    throw new PieceError('ERR_PIECE_PROTOCOL', `range ${index}:${begin}+${length} is outside the torrent`)
  const start = index * l.pieceLength + begin
  const end = start + length
  const out: Span[] = []
  for (const f of filesIn(l, start, end)) {
    if (f.pad || f.length === 0 || f.offset >= end || f.offset + f.length <= start) continue
    const from = Math.max(start, f.offset)
    const to = Math.min(end, f.offset + f.length)
    out.push({ file: f, fileOffset: from - f.offset, bufOffset: from - start, length: to - from })
  }
  return out
}

abstract class BaseStorage implements PieceStorage {
  protected readonly have: Uint8Array
  constructor(
    readonly layout: TorrentLayout,
    complete: boolean,
  ) {
    this.have = new Uint8Array(layout.pieceCount).fill(complete ? 1 : 0)
  }
  has(index: number): boolean {
    return this.have[index] === 1
  }
  async read(index: number, begin: number, length: number): Promise<Uint8Array> {
    const out = Buffer.alloc(length)
    for (const s of spans(this.layout, index, begin, length)) await this.readSpan(s, out)
    return out
  }
  async write(index: number, data: Uint8Array): Promise<void> {
    for (const s of spans(this.layout, index, 0, data.length)) await this.writeSpan(s, data)
    this.have[index] = 1
  }
  protected abstract readSpan(s: Span, out: Buffer): Promise<void>
  protected abstract writeSpan(s: Span, data: Uint8Array): Promise<void>
}

/** Files held in memory, keyed by '/'-joined path. Files are allocated when first written. */
export class MemoryStorage extends BaseStorage {
  private readonly data = new Map<LayoutFile, Uint8Array>()

  /** A seed: `files` must hold every non-pad file of the layout with its exact size. */
  static seed(layout: TorrentLayout, files: ReadonlyMap<string, Uint8Array>): MemoryStorage {
    const s = new MemoryStorage(layout, true)
    for (const f of layout.files) {
      if (f.pad || f.length === 0) continue
      const d = files.get(filePath(f))
      if (!d || d.length !== f.length)
        throw new PieceError('ERR_STORAGE', `file ${filePath(f) || '(single)'} missing or of the wrong size`)
      s.data.set(f, d)
    }
    return s
  }

  static empty(layout: TorrentLayout): MemoryStorage {
    return new MemoryStorage(layout, false)
  }

  private byPath: Map<string, LayoutFile> | undefined

  /** A file's bytes, if any piece of it was stored. */
  file(path: string): Uint8Array | undefined {
    if (!this.byPath)
      this.byPath = new Map(this.layout.files.filter((f) => !f.pad).map((f) => [filePath(f), f]))
    const f = this.byPath.get(path)
    return f ? this.data.get(f) : undefined
  }

  protected async readSpan(s: Span, out: Buffer): Promise<void> {
    const d = this.data.get(s.file)
    if (d) out.set(d.subarray(s.fileOffset, s.fileOffset + s.length), s.bufOffset)
  }

  protected async writeSpan(s: Span, data: Uint8Array): Promise<void> {
    let d = this.data.get(s.file)
    if (!d) this.data.set(s.file, (d = new Uint8Array(s.file.length)))
    d.set(data.subarray(s.bufOffset, s.bufOffset + s.length), s.fileOffset)
  }
}

/**
 * Files under `root`: for a multi-file torrent `root/<path…>`, for a single-file one `root` itself.
 * `complete: true` serves what is there (a seed); false starts empty and writes pieces as they come.
 */
export class DiskStorage extends BaseStorage {
  constructor(
    layout: TorrentLayout,
    private readonly root: string,
    complete: boolean,
  ) {
    super(layout, complete)
  }

  private pathOf(f: LayoutFile): string {
    if (this.layout.single) return this.root
    const parts = f.path.map((p) => Buffer.from(p).toString('utf8'))
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('/') || p.includes('\0')))
      throw new PieceError('ERR_STORAGE', 'unsafe path element')
    return join(this.root, ...parts)
  }

  protected async readSpan(s: Span, out: Buffer): Promise<void> {
    const fh = await open(this.pathOf(s.file), 'r')
    try {
      const { bytesRead } = await fh.read(out, s.bufOffset, s.length, s.fileOffset)
      if (bytesRead !== s.length)
        throw new PieceError('ERR_STORAGE', `${this.pathOf(s.file)} is shorter than the torrent says`)
    } finally {
      await fh.close()
    }
  }

  protected async writeSpan(s: Span, data: Uint8Array): Promise<void> {
    const p = this.pathOf(s.file)
    await mkdir(dirname(p), { recursive: true })
    const fh = await open(p, 'a+').then(async (h) => (await h.close(), open(p, 'r+')))
    try {
      await fh.write(data, s.bufOffset, s.length, s.fileOffset)
    } finally {
      await fh.close()
    }
  }
}
