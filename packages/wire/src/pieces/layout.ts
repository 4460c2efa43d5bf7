// Where each piece's bytes live, read from an info dict (v1, v2 or hybrid), plus what verifies them:
// v1 SHA-1 piece hashes (BEP 3) and v2 per-file pieces roots (BEP 52).
import { createHash } from 'node:crypto'
import { decode, isDict, text, type BDict, type BValue } from '../bencode/bencode.js'
import { PieceError } from './errors.js'

export interface LayoutFile {
  /** Path elements below the torrent name (a single-file torrent: [] and `single` on the layout). */
  path: Uint8Array[]
  /** Offset of the file in the piece-aligned byte stream. */
  offset: number
  length: number
  /** BEP 47 pad file (v1 list) or the implicit v2 alignment gap: zeros, never fetched. */
  pad: boolean
  /** BEP 52 pieces root (v2/hybrid, non-empty files). */
  piecesRoot: Uint8Array | null
}

export interface TorrentLayout {
  name: Uint8Array
  single: boolean
  pieceLength: number
  pieceCount: number
  /** Length of the byte stream, pads included. */
  length: number
  /** v1 piece hashes, 20 bytes each, back to back; null for v2-only. */
  v1Pieces: Uint8Array | null
  v2: boolean
  files: LayoutFile[]
  infoHash: Uint8Array
}

const fail = (why: string): never => {
  throw new PieceError('ERR_BAD_INFO', `info dict: ${why}`)
}
const int = (d: BDict, k: string): number => {
  const v = d[k]
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fail(`${k} is not a size`)
}
const bytes = (v: BValue | undefined, what: string): Uint8Array =>
  v instanceof Uint8Array ? v : fail(`${what}`)

/** Parses the parts of an info dict needed to move pieces. The infohash is that of the bytes given. */
export function layoutFromInfo(info: Uint8Array): TorrentLayout {
  let d: BValue
  try {
    d = decode(info)
  } catch (err) {
    throw new PieceError('ERR_BAD_INFO', `info dict: ${(err as Error).message}`, { cause: err })
  }
  if (!isDict(d)) return fail('not a dict')
  const name = bytes(d['name'], 'name missing')
  const pieceLength = int(d, 'piece length')
  if (pieceLength < 16384 || (pieceLength & (pieceLength - 1)) !== 0)
    fail('piece length is not a power of two ≥ 16 KiB')
  const v2 = d['meta version'] === 2
  const pieces = d['pieces']
  const hasV1 = pieces instanceof Uint8Array
  if (!hasV1 && !v2) fail('neither v1 pieces nor meta version 2')
  const files: LayoutFile[] = []
  let single = false
  let offset = 0
  if (hasV1) {
    if (d['files'] === undefined) {
      single = true
      files.push({ path: [], offset: 0, length: int(d, 'length'), pad: false, piecesRoot: null })
      offset = int(d, 'length')
    } else {
      const list = d['files']
      if (!Array.isArray(list) || list.length === 0) fail('files is not a non-empty list')
      for (const f of list as BValue[]) {
        if (!isDict(f)) return fail('file is not a dict')
        const path = f['path']
        if (!Array.isArray(path) || path.length === 0) fail('file path is not a list')
        const attr = f['attr']
        const pad = attr instanceof Uint8Array && text(attr).includes('p')
        const length = int(f, 'length')
        files.push({
          path: (path as BValue[]).map((p) => bytes(p, 'path element')),
          offset,
          length,
          pad,
          piecesRoot: null,
        })
        offset += length
      }
    }
  }
  if (v2) {
    const tree = d['file tree']
    if (!isDict(tree)) return fail('file tree missing')
    const v2Files = walkTree(tree, [], 0)
    if (hasV1) {
      // Hybrid: the v1 list is the layout; attach each file's pieces root (same files, same order).
      const real = files.filter((f) => !f.pad)
      if (real.length !== v2Files.length) fail('v1 and v2 file lists differ')
      real.forEach((f, i) => {
        const g = v2Files[i] as (typeof v2Files)[number]
        if (f.length !== g.length) fail('v1 and v2 file sizes differ')
        f.piecesRoot = g.root
      })
    } else {
      single =
        v2Files.length === 1 &&
        v2Files[0]?.path.length === 1 &&
        Buffer.from(v2Files[0].path[0] as Uint8Array).equals(Buffer.from(name))
      for (const g of v2Files) {
        // BEP 52: every file starts on a piece boundary; the gap is implicit padding.
        const aligned = Math.ceil(offset / pieceLength) * pieceLength
        if (aligned > offset)
          files.push({ path: [], offset, length: aligned - offset, pad: true, piecesRoot: null })
        files.push({
          path: single ? [] : g.path,
          offset: aligned,
          length: g.length,
          pad: false,
          piecesRoot: g.root,
        })
        offset = aligned + g.length
      }
    }
  }
  const pieceCount = Math.ceil(offset / pieceLength)
  if (hasV1 && (pieces as Uint8Array).length !== pieceCount * 20)
    fail('pieces length does not match the files')
  return {
    name,
    single,
    pieceLength,
    pieceCount,
    length: offset,
    v1Pieces: hasV1 ? (pieces as Uint8Array) : null,
    v2,
    files,
    infoHash: new Uint8Array(
      createHash(hasV1 ? 'sha1' : 'sha256')
        .update(info)
        .digest(),
    ).subarray(0, 20),
  }
}

function walkTree(
  node: BDict,
  path: Uint8Array[],
  depth: number,
): { path: Uint8Array[]; length: number; root: Uint8Array | null }[] {
  if (depth > 64) fail('file tree too deep')
  const out: { path: Uint8Array[]; length: number; root: Uint8Array | null }[] = []
  for (const key of Object.keys(node).sort()) {
    const child = node[key]
    if (!isDict(child)) return fail('file tree node is not a dict')
    const leaf = child['']
    if (key === '') continue
    const p = [...path, new Uint8Array(Buffer.from(key, 'latin1'))]
    if (isDict(leaf) && Object.keys(child).length === 1) {
      const length = int(leaf, 'length')
      const root = leaf['pieces root']
      if (length > 0 && !(root instanceof Uint8Array && root.length === 32)) fail('pieces root missing')
      out.push({ path: p, length, root: length > 0 ? (root as Uint8Array) : null })
    } else out.push(...walkTree(child, p, depth + 1))
  }
  return out
}

/**
 * Files (pads included) overlapping the stream range [start, end), by binary search: files are in
 * stream order, so a read costs O(log files), not O(files) (catalogs have tens of thousands).
 */
export function* filesIn(l: TorrentLayout, start: number, end: number): Generator<LayoutFile> {
  let lo = 0
  let hi = l.files.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    const f = l.files[mid] as LayoutFile
    if (f.offset + f.length <= start) lo = mid + 1
    else hi = mid
  }
  for (let i = lo; i < l.files.length; i++) {
    const f = l.files[i] as LayoutFile
    if (f.offset >= end) return
    yield f
  }
}

export const pieceSize = (l: TorrentLayout, index: number): number =>
  Math.min(l.pieceLength, l.length - index * l.pieceLength)

/** Bytes of the piece that are not padding (hybrid pads sit at piece ends), so pads are never fetched. */
export function neededLength(l: TorrentLayout, index: number): number {
  const start = index * l.pieceLength
  const end = start + pieceSize(l, index)
  let need = 0
  for (const f of filesIn(l, start, end)) {
    if (f.pad || f.length === 0 || f.offset >= end || f.offset + f.length <= start) continue
    need = Math.max(need, Math.min(end, f.offset + f.length) - start)
  }
  return need
}

/** Pieces holding bytes of the given files (by index into `files`). */
export function piecesOfFile(l: TorrentLayout, f: LayoutFile): number[] {
  if (f.length === 0) return []
  const first = Math.floor(f.offset / l.pieceLength)
  const last = Math.floor((f.offset + f.length - 1) / l.pieceLength)
  return Array.from({ length: last - first + 1 }, (_, i) => first + i)
}
