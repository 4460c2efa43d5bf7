import { MAX_TORRENT_BYTES, META_VERSION, PAD_ATTR, SHA1_LENGTH, SHA256_LENGTH } from '../constants.js'
import { bdecode, bdecodeWithSpans } from '../bencode/decode.js'
import { bkey, isBytes, isDict, isInt, type BDict } from '../bencode/types.js'
import { CatalogError, TorrentFormatError } from '../errors.js'
import type { TorrentVersion } from './build.js'
import { isPowerOfTwo, rootFromPieceLayer, sha1, sha256 } from './merkle.js'
import { bytesField, checkPathElement, dictField, fail, listField, sizeField } from './parse-fields.js'
import { comparePaths } from './sources.js'

export interface ParsedFile {
  /** Raw path elements inside the torrent (a single-file torrent: its name). Never re-encoded. */
  path: Uint8Array[]
  size: number
  /** BEP 52 `pieces root` (v2 and hybrid, non-empty files). */
  piecesRoot: Uint8Array | null
}

export interface ParsedInfo {
  /** The info dictionary's bytes exactly as found; the infohashes are digests of these. */
  info: Uint8Array
  infohashV1: Uint8Array | null
  infohashV2: Uint8Array | null
  version: TorrentVersion
  name: Uint8Array
  pieceLength: number
  private: boolean
  totalSize: number
  /** Payload files in torrent order, BEP 47 pad files left out. */
  files: ParsedFile[]
}

export interface ParsedTorrentFile extends ParsedInfo {
  /** BEP 52 `piece layers`, keyed by hex pieces root, each checked against its root. */
  pieceLayers: Map<string, Uint8Array>
}

/**
 * Parses and validates a .torrent (v1, v2 or hybrid). Raw names are kept as bytes; the infohashes
 * are taken over the info dictionary exactly as it appears (BEP 52 "infohash"), and for v2 every
 * file larger than a piece must have a piece layer that hashes up to its pieces root.
 */
export function parseTorrentFile(bytes: Uint8Array): ParsedTorrentFile {
  if (bytes.byteLength > MAX_TORRENT_BYTES) fail(`torrent is larger than ${MAX_TORRENT_BYTES} bytes`)
  const { value, spans } = decode(() => bdecodeWithSpans(bytes, { strictOrder: false }))
  if (!isDict(value)) return fail('a torrent must be a dictionary')
  const span = spans.get('info')
  if (span === undefined) return fail('no info dictionary')
  const parsed = parseInfoDict(bytes.subarray(span[0], span[1]))
  const pieceLayers = new Map<string, Uint8Array>()
  if (parsed.version !== 'v1') {
    const layers = value.get('piece layers')
    if (!isDict(layers)) return fail('v2 torrent without "piece layers"')
    for (const f of parsed.files) {
      if (f.size <= parsed.pieceLength || f.piecesRoot === null) continue
      const layer = layers.get(bkey(f.piecesRoot))
      const want = Math.ceil(f.size / parsed.pieceLength) * SHA256_LENGTH
      if (!isBytes(layer) || layer.byteLength !== want) return fail('missing or misshapen piece layer')
      if (!rootFromPieceLayer(layer, parsed.pieceLength).equals(f.piecesRoot)) {
        return fail('a piece layer does not match its pieces root')
      }
      pieceLayers.set(Buffer.from(f.piecesRoot).toString('hex'), new Uint8Array(layer))
    }
  }
  return { ...parsed, pieceLayers }
}

/** Parses a bare info dictionary (e.g. fetched with ut_metadata); piece layers are not part of it. */
export function parseInfoDict(info: Uint8Array): ParsedInfo {
  const d = decode(() => bdecode(info, { strictOrder: false }))
  if (!isDict(d)) return fail('info must be a dictionary')
  const metaVersion = d.get('meta version')
  // BEP 52: check the version before anything else, so a newer format gets a clear message.
  if (metaVersion !== undefined && metaVersion !== META_VERSION) {
    return fail(`unsupported meta version ${isInt(metaVersion) ? metaVersion : '?'}`)
  }
  const name = bytesField(d, 'name', 'info')
  const pieceLength = sizeField(d, 'piece length', 'info')
  if (pieceLength === 0) fail('info: "piece length" must be positive')
  const hasV1 = d.has('pieces')
  const hasV2 = metaVersion === META_VERSION
  if (!hasV1 && !hasV2) fail('info has neither "pieces" (v1) nor "meta version" 2')
  const v2Files = hasV2 ? readFileTree(d, pieceLength) : null
  const v1Files = hasV1 ? readV1(d, name, pieceLength, hasV2) : null
  if (v1Files && v2Files) sameFiles(v1Files, v2Files)
  const files = v2Files ?? (v1Files as ParsedFile[])
  const totalSize = files.reduce((n, f) => n + f.size, 0)
  if (!Number.isSafeInteger(totalSize)) fail('total size out of range')
  return {
    info: new Uint8Array(info),
    infohashV1: hasV1 ? new Uint8Array(sha1(info)) : null,
    infohashV2: hasV2 ? new Uint8Array(sha256(info)) : null,
    version: hasV1 && hasV2 ? 'hybrid' : hasV2 ? 'v2' : 'v1',
    name: new Uint8Array(name),
    pieceLength,
    private: d.get('private') === 1,
    totalSize,
    files,
  }
}

function decode<T>(run: () => T): T {
  try {
    return run()
  } catch (err) {
    if (err instanceof CatalogError)
      throw new TorrentFormatError(`not a valid torrent: ${err.message}`, { cause: err })
    throw err
  }
}

/** BEP 52 `file tree`, walked depth-first with keys in byte order (the file order BEP 52 defines). */
function readFileTree(info: BDict, pieceLength: number): ParsedFile[] {
  if (!isPowerOfTwo(pieceLength) || pieceLength < 16384)
    fail('v2 piece length must be a power of two ≥ 16 KiB')
  const tree = dictField(info, 'file tree', 'info')
  const out: ParsedFile[] = []
  const walk = (node: BDict, path: Uint8Array[], depth: number): void => {
    if (depth > 64) fail('file tree nested too deeply')
    const leaf = node.get('')
    if (leaf !== undefined) {
      if (path.length === 0) fail('the file tree root must not be a file')
      if (node.size !== 1 || !isDict(leaf)) fail('a file entry must have no siblings')
      const size = sizeField(leaf as BDict, 'length', 'file tree')
      const root = (leaf as BDict).get('pieces root')
      if (size > 0 && (!isBytes(root) || root.byteLength !== SHA256_LENGTH))
        fail('a file lacks its pieces root')
      out.push({ path, size, piecesRoot: size > 0 ? new Uint8Array(root as Uint8Array) : null })
      return
    }
    if (node.size === 0) fail('empty directory in file tree')
    for (const key of [...node.keys()].sort()) {
      const child = node.get(key)
      if (!isDict(child)) fail('file tree entries must be dictionaries')
      const element = checkPathElement(Buffer.from(key, 'latin1'), 'file tree')
      walk(child as BDict, [...path, new Uint8Array(element)], depth + 1)
    }
  }
  walk(tree, [], 0)
  return out
}

/** BEP 3 `length`/`files` and `pieces`; BEP 47 pad files are checked for zero-content alignment and dropped. */
function readV1(info: BDict, name: Uint8Array, pieceLength: number, hybrid: boolean): ParsedFile[] {
  const pieces = bytesField(info, 'pieces', 'info')
  if (pieces.byteLength % SHA1_LENGTH !== 0) fail('"pieces" is not a multiple of 20 bytes')
  const out: ParsedFile[] = []
  let offset = 0
  if (info.has('length')) {
    offset = sizeField(info, 'length', 'info')
    out.push({ path: [new Uint8Array(checkPathElement(name, 'name'))], size: offset, piecesRoot: null })
  } else {
    for (const entry of listField(info, 'files', 'info')) {
      if (!isDict(entry)) return fail('a files entry must be a dictionary')
      const size = sizeField(entry, 'length', 'files')
      const path = listField(entry, 'path', 'files').map((e) => new Uint8Array(checkPathElement(e, 'files')))
      if (path.length === 0) fail('a file has an empty path')
      const attr = entry.get('attr')
      const pad = isBytes(attr) && Buffer.from(attr).toString('latin1').includes(PAD_ATTR)
      // BEP 52 "Upgrade Path": in a hybrid, every non-empty file starts on a piece boundary.
      if (hybrid && !pad && size > 0 && offset % pieceLength !== 0)
        fail('hybrid torrent file is not piece-aligned')
      if (!pad) out.push({ path, size, piecesRoot: null })
      offset += size
    }
    if (out.length === 0) fail('torrent lists no files')
  }
  if (!Number.isSafeInteger(offset)) fail('total size out of range')
  if (pieces.byteLength / SHA1_LENGTH !== Math.ceil(offset / pieceLength))
    fail('"pieces" count does not match the size')
  return out
}

/** A hybrid's two file lists must describe the same files in the same order (BEP 52 "Upgrade Path"). */
function sameFiles(v1: ParsedFile[], v2: ParsedFile[]): void {
  const same =
    v1.length === v2.length &&
    v1.every(
      (f, i) =>
        f.size === (v2[i] as ParsedFile).size && comparePaths(f.path, (v2[i] as ParsedFile).path) === 0,
    )
  if (!same) fail('hybrid torrent: v1 and v2 file lists differ')
}
