// A file's bytes by offset, named by its BEP 52 pieces root: what cross-seeding (cross-seed-storage.ts)
// serves another torrent's file from. The pieces root is independent of piece length and of where the
// file sits in its torrent, so the same file in two v2 torrents has the same root.
import { open } from 'node:fs/promises'
import { PieceError } from './errors.js'
import { piecesOfFile } from './layout.js'
import type { PieceStorage } from './storage.js'

export interface FileSource {
  /** 32-byte BEP 52 pieces root the holder claims for these bytes (checked before anything is served). */
  readonly piecesRoot: Uint8Array
  readonly length: number
  /** Where it comes from, for logs (a path, or `<infohash>/<path>`). */
  readonly label: string
  read(offset: number, length: number): Promise<Uint8Array>
}

const checkRange = (src: { length: number; label: string }, offset: number, length: number): void => {
  if (offset < 0 || length < 0 || offset + length > src.length)
    throw new PieceError('ERR_STORAGE', `${src.label}: ${offset}+${length} is outside the file`)
}

/**
 * The complete v2 files of a seeded torrent's storage (v2 or hybrid), read through its pieces: a
 * file is listed only when every piece holding it is held. v1-only storage has no pieces roots.
 */
export function fileSourcesOf(storage: PieceStorage): FileSource[] {
  const l = storage.layout
  if (!l.v2) return []
  const out: FileSource[] = []
  const ih = Buffer.from(l.infoHash).toString('hex')
  for (const f of l.files) {
    if (f.pad || f.length === 0 || !f.piecesRoot) continue
    if (!piecesOfFile(l, f).every((i) => storage.has(i))) continue
    const src = {
      piecesRoot: f.piecesRoot,
      length: f.length,
      label: `${ih}/${f.path.map((p) => Buffer.from(p).toString('utf8')).join('/')}`,
    }
    out.push({
      ...src,
      read: async (offset, length) => {
        checkRange(src, offset, length)
        // A range of the file may cross pieces of its own torrent: read piece by piece.
        const out = Buffer.alloc(length)
        for (let pos = f.offset + offset, end = pos + length; pos < end;) {
          const index = Math.floor(pos / l.pieceLength)
          const begin = pos - index * l.pieceLength
          const n = Math.min(l.pieceLength - begin, end - pos)
          out.set(await storage.read(index, begin, n), pos - f.offset - offset)
          pos += n
        }
        return out
      },
    })
  }
  return out
}

/** A plain file on disk that the index says has `piecesRoot` (verified by the cross-seed storage). */
export function diskFileSource(path: string, piecesRoot: Uint8Array, length: number): FileSource {
  const src = { piecesRoot, length, label: path }
  return {
    ...src,
    read: async (offset, n) => {
      checkRange(src, offset, n)
      const out = Buffer.alloc(n)
      const fh = await open(path, 'r')
      try {
        const { bytesRead } = await fh.read(out, 0, n, offset)
        if (bytesRead !== n) throw new PieceError('ERR_STORAGE', `${path} is shorter than ${length} bytes`)
      } finally {
        await fh.close()
      }
      return out
    },
  }
}
