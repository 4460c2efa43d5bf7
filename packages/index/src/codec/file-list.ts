import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { PIECES_ROOT_BYTES } from '../constants.js'
import { IndexError } from '../errors.js'

// A torrent's file list, packed into one blob (one row per torrent in `file_lists`). Measured on the
// bench corpus, a row per file cost ~59 bytes (35 of path, ~24 of row overhead); packed and deflated the
// list costs ~18. File lists are always read whole (details, export, matched files), so nothing is lost.
//
// Layout, version 1:  byte 0 = FORMAT_V1 | (DEFLATED when the rest is raw-deflated)
//   payload = varint count
//             count x varint (pathLength * 2 + hasPiecesRoot)
//             count x varint size
//             the path bytes, concatenated        (columnar: similar paths sit together and compress well)
//             32 bytes per file that has a pieces root, in file order

const FORMAT_V1 = 0x10
const DEFLATED = 0x01
/** Deflate only lists long enough to gain from it; a one-file list is mostly incompressible. */
const MIN_DEFLATE_BYTES = 96
/** A list can be at most this long once inflated (a 2,000-file torrent is ~150 kB). */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024

export interface FileEntry {
  path: Uint8Array
  size: number
  piecesRoot: Uint8Array | null
}

class Writer {
  buf = new Uint8Array(256)
  len = 0
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.len + n) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }
  varint(v: number): void {
    this.ensure(8)
    // LEB128 on plain numbers: sizes go up to 2^53, beyond 32-bit shifts.
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[this.len++] = v
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.len)
    this.len += b.length
  }
}

export function encodeFileList(files: readonly FileEntry[]): Uint8Array {
  const w = new Writer()
  w.varint(files.length)
  for (const f of files) w.varint(f.path.length * 2 + (f.piecesRoot === null ? 0 : 1))
  for (const f of files) w.varint(f.size)
  for (const f of files) w.bytes(f.path)
  for (const f of files) if (f.piecesRoot !== null) w.bytes(f.piecesRoot)
  const payload = w.buf.subarray(0, w.len)
  if (payload.length >= MIN_DEFLATE_BYTES) {
    const packed = deflateRawSync(payload)
    if (packed.length < payload.length) return withHeader(FORMAT_V1 | DEFLATED, packed)
  }
  return withHeader(FORMAT_V1, payload)
}

function withHeader(h: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1)
  out[0] = h
  out.set(body, 1)
  return out
}

function corrupt(why: string): never {
  throw new IndexError('INDEX_CORRUPT', `stored file list is damaged: ${why}`)
}

/** The columns of a packed list without per-file copies: `paths` holds every path back to back. */
export interface FileListColumns {
  count: number
  /** Byte offset of path i in `paths` is starts[i]; its end is starts[i + 1]. */
  starts: number[]
  sizes: number[]
  paths: Uint8Array
  /** Pieces root of file i, or undefined. */
  rootAt(i: number): Uint8Array | null
}

export function decodeFileListColumns(blob: Uint8Array): FileListColumns {
  const h = blob[0]
  if (h === undefined || (h & 0xf0) !== FORMAT_V1) corrupt('unknown format')
  let p: Uint8Array
  try {
    p =
      (h & DEFLATED) !== 0
        ? inflateRawSync(blob.subarray(1), {
            maxOutputLength: MAX_INFLATED_BYTES,
            // One output chunk sized to the expected list (paths deflate ~5-8x) instead of many 16 kB ones.
            chunkSize: Math.min(Math.max(blob.length * 8, 16 * 1024), 1024 * 1024),
          })
        : blob.subarray(1)
  } catch {
    corrupt('does not inflate')
  }
  let at = 0
  const varint = (): number => {
    let v = 0
    let mul = 1
    for (;;) {
      const b = p[at++]
      if (b === undefined || mul > 2 ** 49) corrupt('truncated number')
      v += (b & 0x7f) * mul
      if (b < 0x80) {
        // The writer emits minimal LEB128 of safe integers; anything else is damage, not a size.
        if (b === 0 && mul > 1) corrupt('overlong number')
        if (!Number.isSafeInteger(v)) corrupt('number too large')
        return v
      }
      mul *= 0x80
    }
  }
  const count = varint()
  if (count > p.length) corrupt('bad count')
  const starts: number[] = [0]
  const rooted: number[] = []
  let total = 0
  for (let i = 0; i < count; i++) {
    const v = varint()
    total += Math.floor(v / 2)
    starts.push(total)
    if (v % 2 === 1) rooted.push(i)
  }
  const sizes: number[] = []
  for (let i = 0; i < count; i++) sizes.push(varint())
  const pathsAt = at
  const rootsAt = pathsAt + total
  if (rootsAt + rooted.length * PIECES_ROOT_BYTES !== p.length) corrupt('lengths do not add up')
  const roots = new Map<number, number>(rooted.map((i, k) => [i, rootsAt + k * PIECES_ROOT_BYTES]))
  return {
    count,
    starts,
    sizes,
    paths: p.subarray(pathsAt, rootsAt),
    rootAt: (i) => {
      const o = roots.get(i)
      return o === undefined ? null : new Uint8Array(p.subarray(o, o + PIECES_ROOT_BYTES))
    },
  }
}

export function decodeFileList(blob: Uint8Array): FileEntry[] {
  const c = decodeFileListColumns(blob)
  const out: FileEntry[] = []
  for (let i = 0; i < c.count; i++) {
    // Copy into plain Uint8Arrays (a Buffer view would pin the whole inflated list).
    const path = new Uint8Array(c.paths.subarray(c.starts[i]!, c.starts[i + 1]!))
    out.push({ path, size: c.sizes[i]!, piecesRoot: c.rootAt(i) })
  }
  return out
}
